import Foundation
import Hummingbird

/// An error answer as `application/problem+json` (RFC 9457), naming the offending field
/// where there is one.
public struct APIProblem: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String
    /// The request field at fault, e.g. `interviewers[1].timeZone`.
    public let field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ title: String, detail: String, field: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: Any] = ["type": "about:blank", "title": title, "status": Int(status.code), "detail": detail, "instance": request.uri.path]
        if let field { object["field"] = field }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(field: String, _ detail: String) -> APIProblem {
        APIProblem(.badRequest, "Invalid request", detail: field.isEmpty ? detail : "\(field): \(detail)", field: field.isEmpty ? nil : field)
    }

    static func notFound(_ what: String) -> APIProblem {
        APIProblem(.notFound, "Not found", detail: "\(what) does not exist or is not yours")
    }
}
