import Foundation

/// A TCP port on 127.0.0.1 that the kernel says is free now: bound with port 0, read back,
/// released. Far less likely to collide than a random pick inside the ephemeral range.
package enum FreePort {
    package static func next() throws -> Int {
        let socket = try ListeningSocket()
        defer { socket.close() }
        return socket.port
    }
}
