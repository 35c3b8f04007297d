import Foundation

/// A TCP socket listening on 127.0.0.1, for a test that needs a port taken.
package final class ListeningSocket: Sendable {
    package let port: Int
    private let descriptor: Int32

    /// Listens on `port`, or on one the kernel picks when it is 0; throws `EADDRINUSE` when taken.
    package init(port: Int = 0) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(clamping: port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard listening else {
            let failure = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            Foundation.close(descriptor)
            throw failure
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops listening; the port is free again.
    package func close() {
        Foundation.close(descriptor)
    }
}
