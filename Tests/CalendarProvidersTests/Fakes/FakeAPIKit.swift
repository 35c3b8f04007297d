import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat
import Synchronization

/// A misbehaviour a fake server shows on its next API request.
enum Fault: Sendable {
    /// Answer with this status (and `Retry-After`), doing nothing.
    case status(Int, retryAfter: String? = nil)
    /// Do the work, then wait this long before answering (past the client's timeout).
    case slowAfterHandling(Duration)
    /// Do the work, then drop the connection before the body: the answer is lost.
    case dropAfterHandling
    /// Refuse every token issued so far, as after a key rotation.
    case expireTokens
}

/// The faults still to show, in order, and the requests seen: what the tests script and inspect.
final class FakeAPIRecord: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var query: [String: String]
        var headers: [String: String]
        var body: Data
    }

    private let state = Mutex<(faults: [Fault], requests: [Request])>(([], []))

    func inject(_ faults: Fault...) {
        state.withLock { $0.faults.append(contentsOf: faults) }
    }

    func nextFault() -> Fault? {
        state.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
    }

    func record(_ request: Request) {
        state.withLock { $0.requests.append(request) }
    }

    var requests: [Request] { state.withLock { $0.requests } }

    /// The requests as the contract validator reads them, one JSON object a line.
    func validatorLines(api: String) -> String {
        requests.map { request in
            var object: [String: Any] = ["api": api, "method": request.method, "path": request.path, "query": request.query]
            object["body"] =
                request.body.isEmpty
                ? NSNull() : ((try? JSONSerialization.jsonObject(with: request.body)) ?? String(decoding: request.body, as: UTF8.self))
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }
}

/// What a fake API differs in; `serve` is the flow they share: record the request, show the
/// next scripted fault, check the bearer token, then do the work.
protocol FakeAPI: Sendable {
    var record: FakeAPIRecord { get }
    /// The API's error body for an injected status.
    func injectedError(status: Int) -> [String: Any]
    /// The API's answer to a missing or unknown token.
    var unauthorized: Response { get }
    func accepts(token: String) -> Bool
    func expireTokens()
}

extension FakeAPI {
    func serve(_ request: Request, context: BasicRequestContext, handle: (FakeAPIRecord.Request) throws -> Response) async throws -> Response {
        let captured = try await FakeHTTP.capture(request, context: context)
        record.record(captured)
        let fault = record.nextFault()
        switch fault {
        case .status(let status, let retryAfter):
            return FakeHTTP.json(.init(code: status), injectedError(status: status), headers: retryAfter.map { ["Retry-After": $0] } ?? [:])
        case .expireTokens:
            expireTokens()
        default:
            break
        }
        guard let token = FakeHTTP.bearer(captured), accepts(token: token) else { return unauthorized }
        return try await FakeHTTP.deliver(try handle(captured), after: fault)
    }
}

/// Reading requests and writing answers the way Google and Graph do.
enum FakeHTTP {
    struct ConnectionDropped: Error {}

    static func capture(_ request: Request, context: some RequestContext) async throws -> FakeAPIRecord.Request {
        let body = try await request.body.collect(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let path = request.uri.path
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        return .init(method: request.method.rawValue, path: path, query: query, headers: headers, body: Data(buffer: body))
    }

    static func json(_ status: HTTPResponse.Status, _ object: Any, headers: [String: String] = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=UTF-8"
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }

    /// Applies the effect of a fault that comes after the work.
    static func deliver(_ response: Response, after fault: Fault?) async throws -> Response {
        switch fault {
        case .slowAfterHandling(let delay):
            try await Task.sleep(for: delay)
            return response
        case .dropAfterHandling:
            return Response(status: response.status, headers: response.headers, body: ResponseBody { _ in throw ConnectionDropped() })
        default:
            return response
        }
    }

    static func decodedSegment(_ raw: String) -> String {
        raw.removingPercentEncoding ?? raw
    }

    static func form(_ body: Data) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    static func bearer(_ request: FakeAPIRecord.Request) -> String? {
        guard let value = request.headers["authorization"], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }
}

/// A parsed JSON object. Only the immutable Foundation values that JSONSerialization makes
/// live in it, so it may be shared between tasks.
struct JSONObject: @unchecked Sendable {
    var values: [String: Any]

    init(_ values: [String: Any]) {
        self.values = values
    }

    subscript(key: String) -> Any? {
        get { values[key] }
        set { values[key] = newValue }
    }
}

extension Data {
    /// Base64url without padding, as in JWTs.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
