import Foundation
import Hummingbird
import InterviewScheduling
import SchedulingCore

/// `/api/v1/scheduling-requests`: a recruiter asks for an interview, follows it, cancels it.
struct SchedulingRequestsAPI {
    let services: APIServices

    func register(on routes: inout APIRoutes) {
        let base = "/api/v1/scheduling-requests"
        routes.post(base) { request, _ in try await self.create(request) }
        routes.get("\(base)/:id") { request, context in try await self.show(request, id: try context.parameters.require("id")) }
        routes.post("\(base)/:id/cancel") { request, context in try await self.cancel(request, id: try context.parameters.require("id")) }
    }

    /// The 202 answer.
    struct Accepted: Codable {
        var requestId: String
        var status: String
        var links: [String: String]
    }

    func create(_ request: Request) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let body = try await services.body(of: request)
        let key = request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value
        let accepted = try await services.run {
            try await services.application.requestInterview(RequestInterview(caller: caller, body: body, idempotencyKey: key))
        }
        let location = "/api/v1/scheduling-requests/\(accepted.requestID)"
        var headers = HTTPFields()
        headers[.location] = location
        return try APIServices.json(
            .accepted, Accepted(requestId: accepted.requestID, status: "accepted", links: ["self": location]), headers: headers)
    }

    /// The state, the chosen slot and the saga's timeline.
    struct Status: Codable {
        struct Entry: Codable {
            var at: String
            var step: String?
            var phase: String
            var outcome: String
            var attempt: Int
            var message: String?
        }

        /// The candidate's e-mail.
        struct Invitation: Codable {
            var delivery: String
            var messageId: String
            var method: String
            var sequence: Int
            var attempts: Int
            var error: String?
        }

        var requestId: String
        var state: String
        var slot: [String: String]?
        var interviewId: String?
        var error: String?
        var invitation: Invitation?
        var timeline: [Entry]
    }

    func show(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let status = try await services.run { try await services.application.requestStatus(id, caller: caller) }
        return try APIServices.json(
            .ok,
            Status(
                requestId: status.requestID, state: status.state.rawValue,
                slot: status.slot.map { ["start": ISO8601.format($0.start), "end": ISO8601.format($0.end)] }, interviewId: status.interviewID,
                error: status.error,
                invitation: status.invitation.map {
                    .init(
                        delivery: $0.state.rawValue, messageId: $0.messageID, method: $0.method, sequence: $0.sequence, attempts: $0.attempts,
                        error: $0.error)
                },
                timeline: status.timeline.map {
                    .init(
                        at: ISO8601.format(Instant($0.at)), step: $0.step, phase: $0.phase, outcome: $0.outcome, attempt: $0.attempt,
                        message: $0.message)
                }))
    }

    struct CancelBody: Codable {
        var reason: String?
    }

    func cancel(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let data = try await services.body(of: request)
        let body = data.isEmpty ? CancelBody() : try decodeCancel(data)
        try await services.run { try await services.application.cancel(CancelRequest(caller: caller, requestID: id, reason: body.reason)) }
        return try APIServices.json(.accepted, ["requestId": id, "status": "cancelling"])
    }

    func decodeCancel(_ data: Data) throws -> CancelBody {
        do {
            return try JSONDecoder().decode(CancelBody.self, from: data)
        } catch {
            throw APIProblem.badRequest(field: "", "the body must be a JSON object such as {\"reason\": \"candidate_no_show\"}")
        }
    }
}
