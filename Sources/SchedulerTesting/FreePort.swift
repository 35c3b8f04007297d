import Foundation
import Synchronization

/// A TCP port on 127.0.0.1 for a server a test starts, free when handed out, and one the kernel
/// never hands out by itself.
///
/// A port the kernel picked (bind to port 0) lies in its ephemeral range, which every outgoing
/// connection and every listener on port 0 (each mock Kafka broker) draws from. Between the
/// moment a test's server stops and the moment it starts again on the same port, any of those
/// may take it (CI saw a PostgreSQL restart refused with "Address already in use"). So ports
/// come from outside that range, from a random place onwards, each checked as a server binds
/// it (`ListeningSocket.isFree`) and reserved for the life of the process with a lock file
/// (`/tmp/scheduler-test-ports/`), so that no other test process on the machine is given it
/// while its server is down.
package enum FreePort {
    package static func next() throws -> Int {
        try cursor.withLock { cursor in
            guard let range = cursor.range else { return try kernelsPick() }
            for _ in 0..<range.count {
                let port = cursor.advance()
                guard reserve(port) else { continue }
                // Not free: someone else's, outside this scheme; it stays reserved, unused.
                if try ListeningSocket.isFree(port) { return port }
            }
            throw POSIXError(.EADDRINUSE)
        }
    }

    /// The ports `next()` draws from, outside `/proc/sys/net/ipv4/ip_local_port_range`; nil
    /// where that range leaves too few (then the kernel picks, from inside it, and a stopped
    /// server's port may be taken before it starts again).
    package static var range: ClosedRange<Int>? { cursor.withLock { $0.range } }

    private static let cursor = Mutex(Cursor())

    private static func kernelsPick() throws -> Int {
        let socket = try ListeningSocket()
        defer { socket.close() }
        return socket.port
    }

    /// Takes the port's lock file; the descriptor stays open, so the lock lasts until the
    /// process exits (the kernel then lets it go, also after a crash).
    private static func reserve(_ port: Int) -> Bool {
        let directory = "/tmp/scheduler-test-ports"
        mkdir(directory, 0o777)
        chmod(directory, 0o777)
        let descriptor = open("\(directory)/\(port)", O_CREAT | O_RDWR | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return false }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return false
        }
        return true
    }

    private struct Cursor {
        let range: ClosedRange<Int>?
        private var offset: Int

        init() {
            range = Self.portsOutsideTheEphemeralRange()
            offset = range.map { Int.random(in: 0..<$0.count) } ?? 0
        }

        mutating func advance() -> Int {
            guard let range else { return 0 }
            offset = (offset + 1) % range.count
            return range.lowerBound + offset
        }

        /// The larger stretch the kernel's ephemeral range leaves above port 10000 (clear of
        /// the ports common services listen on), if it has at least a thousand ports.
        private static func portsOutsideTheEphemeralRange() -> ClosedRange<Int>? {
            let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
            let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            let (first, last) = bounds.count == 2 ? (bounds[0], bounds[1]) : (32_768, 60_999)  // Linux's default
            let below = 10_000..<max(10_000, first)
            let above = max(10_000, min(65_536, last + 1))..<65_536
            let larger = below.count >= above.count ? below : above
            return larger.count >= 1_000 ? larger.lowerBound...(larger.upperBound - 1) : nil
        }
    }
}
