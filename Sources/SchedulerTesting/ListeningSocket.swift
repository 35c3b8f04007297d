import Foundation

/// A TCP socket listening on 127.0.0.1, for a test that needs a port taken.
///
/// It is bound with `SO_REUSEADDR`, as the servers tests start bind theirs (PostgreSQL,
/// Hummingbird, Python's asyncio and `http.server`), and closed on `exec`.
package final class ListeningSocket: Sendable {
    package let port: Int
    private let descriptor: Int32

    /// Listens on `port`, or on one the kernel picks when it is 0; throws `EADDRINUSE` when taken.
    package init(port: Int = 0) throws {
        let descriptor = try Self.bound(to: port)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { listen(descriptor, 1) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard listening else { throw Self.failure(closing: descriptor) }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops listening; the port is free again. The socket leaves the listening state before
    /// its descriptor is closed: a process another thread is starting holds a copy of the
    /// descriptor until its `exec`, and a listening copy would keep the port taken.
    package func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Foundation.close(descriptor)
    }

    /// Whether a server could listen on `port` now: a socket is bound to it as a server binds
    /// (`SO_REUSEADDR`), never listened on, and closed. Throws errors other than a taken port.
    ///
    /// Not listened on, because a process another thread is starting at that moment holds a
    /// copy of every descriptor until its `exec`, and a listening copy keeps the port taken
    /// after `close` here (seen: a port just checked by listening and closing could not be
    /// listened on again). A bound copy that never listened does not stop a server binding
    /// with `SO_REUSEADDR`.
    package static func isFree(_ port: Int) throws -> Bool {
        do {
            Foundation.close(try bound(to: port))
            return true
        } catch let error as POSIXError where error.code == .EADDRINUSE || error.code == .EACCES {
            return false
        }
    }

    private static func bound(to port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var reuse: Int32 = 1
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(clamping: port).bigEndian
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size)) == 0
                    && bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound else { throw failure(closing: descriptor) }
        return descriptor
    }

    private static func failure(closing descriptor: Int32) -> POSIXError {
        let failure = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        Foundation.close(descriptor)
        return failure
    }
}
