import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// POSTs over plain keep-alive HTTP/1.1 connections to the local service, each request on a
/// thread of its own with blocking socket calls. The load generator shares the machine with
/// what it measures: URLSession (libcurl and dispatch under FoundationNetworking) took about a
/// tenth of both cores at 100 requests in flight, which this client leaves to the service.
/// It reads only what the service sends: a status line, headers, a `Content-Length` body.
enum PlainHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// The connection ended before any of the answer came: a kept-alive connection the
        /// server had closed, where the request can be sent again on a new one.
        var nothingReceived = false
    }

    /// Idle connections by port.
    private static let idle = Mutex<[Int: [Int32]]>([:])

    /// Sends a POST and returns the status and body.
    static func post(port: Int, path: String, headers: [(String, String)], body: Data) async throws -> (status: Int, body: Data) {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Data((head + "\r\n").utf8) + body
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchange(request, port: port) })
            }
        }
    }

    /// One request and its answer, blocking; a reused connection that the server had closed
    /// (nothing of an answer came) is replaced by a new one for a second try.
    private static func exchange(_ request: Data, port: Int) throws -> (status: Int, body: Data) {
        if let reused = idle.withLock({ $0[port]?.popLast() }) {
            do {
                return try exchange(request, on: reused, port: port)
            } catch let failure as Failure where failure.nothingReceived {
                close(reused)
            } catch {
                close(reused)
                throw error
            }
        }
        let fresh = try connect(port: port)
        do {
            return try exchange(request, on: fresh, port: port)
        } catch {
            close(fresh)
            throw error
        }
    }

    private static func exchange(_ request: Data, on socket: Int32, port: Int) throws -> (status: Int, body: Data) {
        try request.withUnsafeBytes { bytes in
            guard let start = bytes.baseAddress else { return }
            var sent = 0
            while sent < bytes.count {
                let count = send(socket, start + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                // Nothing of the request reached a server that had closed the connection.
                guard count > 0 else { throw Failure(description: "send failed: \(errno)", nothingReceived: true) }
                sent += count
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        func receiveMore() throws {
            let count = recv(socket, &buffer, buffer.count, 0)
            // Only an orderly close before any answer means the server never took the request;
            // a timeout or a reset may come after it did, and is not sent again.
            guard count > 0 else {
                throw Failure(
                    description: count == 0 ? "connection closed before the answer was complete" : "receive failed: \(errno)",
                    nothingReceived: count == 0 && received.isEmpty)
            }
            received.append(contentsOf: buffer[0..<count])
        }
        let separator = Data("\r\n\r\n".utf8)
        var headEnd = received.range(of: separator)
        while headEnd == nil {
            try receiveMore()
            headEnd = received.range(of: separator)
        }
        guard let headEnd else { throw Failure(description: "no header end") }
        let lines = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw Failure(description: "no status line")
        }
        var length: Int?
        var closing = false
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.count == 2 else { continue }
            if parts[0] == "content-length" { length = Int(parts[1]) }
            if parts[0] == "connection", parts[1] == "close" { closing = true }
            if parts[0] == "transfer-encoding" { throw Failure(description: "transfer-encoding \(parts[1]) is not read by this client") }
        }
        guard let length else { throw Failure(description: "no Content-Length") }
        while received.count - headEnd.upperBound < length { try receiveMore() }
        let body = Data(received[headEnd.upperBound..<(headEnd.upperBound + length)])
        if closing { close(socket) } else { idle.withLock { $0[port, default: []].append(socket) } }
        return (status, body)
    }

    private static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed: \(errno)") }
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        // A stalled service fails the request after a minute instead of holding its thread for good.
        var limit = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(descriptor)
            throw Failure(description: "connect to port \(port) failed: \(error)")
        }
        return descriptor
    }
}
