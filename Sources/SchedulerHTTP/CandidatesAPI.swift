import Foundation
import Hummingbird
import InterviewScheduling

/// `/api/v1/candidates/{id}/erasure`: an admin erases a candidate and follows the erasure.
struct CandidatesAPI {
    let services: APIServices

    func register(on routes: inout APIRoutes) {
        let base = "/api/v1/candidates/:id/erasure"
        routes.post(base) { request, context in try await self.erase(request, candidateID: try context.parameters.require("id")) }
        routes.get(base) { request, context in try await self.show(request, candidateID: try context.parameters.require("id")) }
    }

    /// `{"cancelFutureInterviews": true|false}`, the member optional but never null.
    struct ErasureBody: Decodable {
        var cancelFutureInterviews: Bool?

        enum CodingKeys: String, CodingKey {
            case cancelFutureInterviews
        }

        init() {}

        init(from decoder: any Decoder) throws {
            // A destructive operation: a misspelt member is refused, not ignored.
            let members = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            if let unknown = members.first(where: { $0 != CodingKeys.cancelFutureInterviews.rawValue }) {
                throw DecodingError.dataCorrupted(.init(codingPath: [AnyKey(stringValue: unknown)], debugDescription: "unknown member"))
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.cancelFutureInterviews) else { return }
            guard try !container.decodeNil(forKey: .cancelFutureInterviews) else {
                throw DecodingError.valueNotFound(Bool.self, .init(codingPath: [CodingKeys.cancelFutureInterviews], debugDescription: "null"))
            }
            cancelFutureInterviews = try container.decode(Bool.self, forKey: .cancelFutureInterviews)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The answer to both routes; the POST's is the same however often it is sent.
    struct Erasure: Codable {
        var candidateId: String
        var erasureId: String
        var state: String
        var sagasErased: Int?
        var interviewsErased: Int?
        var calendarEventsErased: Int?
        var error: String?
        var links: [String: String]

        init(_ status: ErasureStatus) {
            candidateId = status.candidateID
            erasureId = status.erasureID
            state = status.state.rawValue
            sagasErased = status.sagasErased
            interviewsErased = status.interviewsErased
            calendarEventsErased = status.calendarEventsErased
            error = status.error
            var segment = CharacterSet.urlPathAllowed
            segment.remove("/")
            let path = "/api/v1/candidates/\(status.candidateID.addingPercentEncoding(withAllowedCharacters: segment) ?? "")/erasure"
            links = ["self": path]
        }
    }

    func erase(_ request: Request, candidateID: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        try await services.run { try SchedulingApplication.requireAdmin(caller) }
        let data = try await services.body(of: request)
        let body: ErasureBody
        do {
            body = data.isEmpty ? ErasureBody() : try JSONDecoder().decode(ErasureBody.self, from: data)
        } catch {
            throw APIProblem.badRequest(
                field: "cancelFutureInterviews", "the body must be empty or a JSON object such as {\"cancelFutureInterviews\": false}")
        }
        let status = try await services.run {
            try await services.application.eraseCandidate(
                EraseCandidate(caller: caller, candidateID: candidateID, cancelFutureInterviews: body.cancelFutureInterviews ?? true))
        }
        let answer = Erasure(status)
        var headers = HTTPFields()
        headers[.location] = answer.links["self"]
        return try APIServices.json(.accepted, answer, headers: headers)
    }

    func show(_ request: Request, candidateID: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let status = try await services.run { try await services.application.erasureStatus(of: candidateID, caller: caller) }
        return try APIServices.json(.ok, Erasure(status))
    }
}
