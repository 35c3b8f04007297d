import Foundation
package import Hummingbird
import InterviewScheduling

/// An error answer as `application/problem+json` (RFC 9457), naming the offending field
/// where there is one.
package struct APIProblem: HTTPResponseError {
    package let status: HTTPResponse.Status
    package let title: String
    package let detail: String
    /// The request field at fault, e.g. `interviewers[1].timeZone`.
    package let field: String?
    package var headers: HTTPFields = [:]

    package init(_ status: HTTPResponse.Status, _ title: String, detail: String, field: String? = nil) {
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: Any] = [
            "type": "about:blank", "title": title, "status": Int(status.code), "detail": detail, "instance": request.uri.path,
        ]
        if let field { object["field"] = field }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A use case's refusal.
    init(_ error: ApplicationError) {
        switch error {
        case .invalid(let field, let reason): self = .badRequest(field: field, reason)
        case .notFound(let what): self = .notFound(what)
        case .conflict(let detail): self.init(.conflict, "Illegal state change", detail: detail)
        case .idempotencyKeyReused(let key):
            self.init(
                .unprocessableContent, "Idempotency-Key reused", detail: "Idempotency-Key \"\(key)\" was used with another body",
                field: "Idempotency-Key")
        case .forbidden(let detail): self.init(.forbidden, "Forbidden", detail: detail)
        }
    }

    static func badRequest(field: String, _ detail: String) -> APIProblem {
        APIProblem(.badRequest, "Invalid request", detail: field.isEmpty ? detail : "\(field): \(detail)", field: field.isEmpty ? nil : field)
    }

    static func notFound(_ what: String) -> APIProblem {
        APIProblem(.notFound, "Not found", detail: "\(what) does not exist or is not yours")
    }
}
