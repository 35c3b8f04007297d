import CalendarProviders
import Foundation
import Hummingbird
import InterviewScheduling
import SchedulingCore

/// `/api/v1/interviews`: booked interviews and the candidate's invitation.
struct InterviewsAPI {
    let services: APIServices

    func register(on routes: inout APIRoutes) {
        let base = "/api/v1/interviews"
        routes.get(base) { request, _ in try await self.list(request) }
        routes.get("\(base)/:id") { request, context in try await self.show(request, id: try context.parameters.require("id")) }
        routes.get("\(base)/:id/invite.ics") { request, context in try await self.invite(request, id: try context.parameters.require("id")) }
        routes.post("\(base)/:id/reschedule") { request, context in try await self.reschedule(request, id: try context.parameters.require("id")) }
    }

    /// `{"window": {start, end, timeZone?}, "preferredTimes": [...]?}`: the new search.
    struct RescheduleBody: Codable {
        var window: SlotRequest.TimeRange
        var preferredTimes: [SlotRequest.TimeRange]?
    }

    func reschedule(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let data = try await services.body(of: request)
        let change: RescheduleBody
        do {
            change = try JSONDecoder().decode(RescheduleBody.self, from: data)
        } catch let error as DecodingError {
            let problem = ValidationError(error)
            throw APIProblem.badRequest(field: problem.field, problem.reason)
        }
        let accepted = try await services.run {
            try await services.application.reschedule(
                RescheduleInterview(caller: caller, interviewID: id, window: change.window, preferredTimes: change.preferredTimes))
        }
        var headers = HTTPFields()
        headers[.location] = "/api/v1/interviews/\(accepted.interviewID)"
        return try APIServices.json(
            .accepted, ["interviewId": accepted.interviewID, "status": "rescheduling", "rescheduleId": accepted.rescheduleID], headers: headers)
    }

    struct Summary: Codable {
        var interviewId: String
        var requestId: String
        var candidateId: String
        var start: String
        var end: String
        var status: String
        var sequence: Int
        var invitation: String
        /// `pending`, `sent` or `undelivered`: the candidate's e-mail (on a single interview).
        var invitationDelivery: String?
        /// The candidate's answer to the current version: `needs-action`, `accepted`, `declined`, `tentative`.
        var candidateResponse: String
        var calendarEvents: [[String: String]]
    }

    func summary(_ interview: InterviewRecord) -> Summary {
        Summary(
            interviewId: interview.id, requestId: interview.requestID, candidateId: interview.candidateID,
            start: ISO8601.format(interview.slot.start), end: ISO8601.format(interview.slot.end), status: interview.status.rawValue,
            sequence: interview.sequence, invitation: "/api/v1/interviews/\(interview.id)/invite.ics",
            invitationDelivery: interview.invitationDelivery?.state.rawValue, candidateResponse: interview.candidateResponse.rawValue,
            calendarEvents: interview.bookings.map { ["provider": $0.provider, "calendar": $0.calendar, "eventID": $0.eventID] })
    }

    func list(_ request: Request) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let query = request.uri.queryParameters
        func instant(_ name: String) throws -> Instant? {
            guard let text = query.get(name) else { return nil }
            guard let instant = ISO8601.instant(text, form: .rfc3339) else {
                throw APIProblem.badRequest(field: name, "expected an RFC 3339 date-time such as 2026-03-09T14:00:00Z, got \"\(text.prefix(80))\"")
            }
            return instant
        }
        let interviews = try await services.run {
            try await services.application.interviews(
                InterviewQuery(caller: caller, candidateID: query.get("candidateId"), from: try instant("from"), to: try instant("to")))
        }
        return try APIServices.json(.ok, ["interviews": interviews.map(summary)])
    }

    func show(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        return try APIServices.json(.ok, summary(try await services.run { try await services.application.interview(id, caller: caller) }))
    }

    /// The candidate's invitation: the REQUEST, or the CANCEL once the interview is cancelled.
    func invite(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let file = try await services.run { try await services.application.invitation(ofInterview: id, caller: caller) }
        var headers = HTTPFields()
        headers[.contentType] = "text/calendar; charset=utf-8; method=\(file.method.rawValue)"
        headers[.contentDisposition] = "attachment; filename=\"\(file.interviewID).ics\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: file.text)))
    }
}
