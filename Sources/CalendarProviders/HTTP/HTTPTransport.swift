package import Foundation

/// An HTTP request as the providers build it.
package struct HTTPRequest: Hashable, Sendable {
    package var method: String
    package var url: URL
    package var headers: [String: String]
    package var body: Data?

    package init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back.
package struct HTTPResponse: Hashable, Sendable {
    package var status: Int
    /// Header names lower-cased.
    package var headers: [String: String]
    package var body: Data

    package init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }
}

/// Sends one request, with no retries: the small seam between the providers and the network.
package protocol HTTPTransport: Sendable {
    /// Throws `TransportFailure` when no response arrived (refused, reset, timed out).
    func send(_ request: HTTPRequest, timeout: Duration) async throws(TransportFailure) -> HTTPResponse
}

/// No response: the connection failed or the request timed out.
package struct TransportFailure: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Kind: String, Hashable, Sendable {
        case timedOut, connectionFailed
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { "\(kind.rawValue): \(message)" }
}
