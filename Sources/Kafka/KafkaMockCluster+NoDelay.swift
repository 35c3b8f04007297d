import Foundation
import Logging

/// The mock's brokers, unlike Kafka's (which disable Nagle's algorithm on every connection they
/// accept), leave it on. Two responses written back to back on one connection (one per
/// partition of a produce, a commit beside a fetch) then wait for the client's delayed
/// acknowledgement, 40 ms on Linux: measured as a 43 ms stall in most of the relay's batches.
extension KafkaMockCluster {
    /// The brokers' ports, from `bootstrapServers`.
    package var brokerPorts: Set<UInt16> {
        Set(bootstrapServers.split(separator: ",").compactMap { address in address.split(separator: ":").last.flatMap { UInt16($0) } })
    }

    /// Sets `TCP_NODELAY` on the brokers' listening sockets (and any connection they have
    /// accepted), as a Kafka broker does. Linux passes the option on from a listening socket to
    /// each connection it accepts, so this is needed again only when a listener is made anew
    /// (`setBrokerDown` makes one). Warns when it reached fewer sockets than there are brokers.
    func disableNagleOnBrokerSockets() {
        var enabled: Int32 = 1
        var set = 0
        Self.withTCPSockets(boundTo: brokerPorts) { socket in
            if setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &enabled, socklen_t(MemoryLayout<Int32>.size)) == 0 { set += 1 }
        }
        if set < brokerCount {
            logger.warning(
                "could not disable Nagle's algorithm on every mock broker; responses may wait 40 ms for delayed acknowledgements",
                metadata: ["sockets": "\(set)", "brokers": "\(brokerCount)"])
        }
    }

    /// Calls `body` with each of this process's IPv4 TCP sockets whose local port is one of
    /// `ports`: the listeners of brokers in this process and the connections they accepted (a
    /// client's own end has another local port). Found in `/proc/self/fd`, none where that
    /// does not exist. `body` gets a duplicate of the descriptor, closed after it returns, so
    /// that the socket checked is the socket used even if another thread closes the original
    /// and its number is reused meanwhile.
    package static func withTCPSockets(boundTo ports: Set<UInt16>, _ body: (Int32) -> Void) {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for descriptor in descriptors {
            // Closed on exec: a program another thread starts meanwhile must not inherit it.
            let socket = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
            guard socket >= 0 else { continue }
            defer { close(socket) }
            var type: Int32 = 0
            var typeLength = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(socket, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0, type == Int32(SOCK_STREAM.rawValue) else { continue }
            var address = sockaddr_in()
            var addressLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &addressLength) == 0 }
            }
            if named && address.sin_family == sa_family_t(AF_INET) && ports.contains(UInt16(bigEndian: address.sin_port)) { body(socket) }
        }
    }
}
