import Foundation
import Hummingbird
import InterviewScheduling
import SagaCore
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
        let interview = try await owned(id, caller: caller)
        guard interview.status == "confirmed" else {
            throw APIProblem(.conflict, "Illegal state change", detail: "interview \(id) is \(interview.status); it cannot be rescheduled")
        }
        let data = try await services.body(of: request)
        let change: RescheduleBody
        do {
            change = try JSONDecoder().decode(RescheduleBody.self, from: data)
        } catch let error as DecodingError {
            let problem = ValidationError(error)
            throw APIProblem.badRequest(field: problem.field, problem.reason)
        }
        guard let original = try await services.engine.store.instance(id: interview.requestID),
              var body = try original.data["request"]?.decoded(as: SchedulingRequestBody.self)
        else { throw APIProblem.notFound("the request of interview \(id.prefix(100))") }
        body.window = change.window
        body.preferredTimes = change.preferredTimes
        do {
            body = try body.checked(now: Instant(Date()))
        } catch {
            throw APIProblem.badRequest(field: error.field, error.reason)
        }
        let running = try await services.engine.store.instances(type: "interview-rescheduling").contains {
            $0.data["interviewId"]?.stringValue == interview.id && !$0.status.isSettled
        }
        guard !running else {
            throw APIProblem(.conflict, "Illegal state change", detail: "interview \(id) is being rescheduled already")
        }
        let sagaID = "\(interview.requestID):reschedule:\(UUID().uuidString.lowercased())"
        try await services.engine.start(
            type: "interview-rescheduling", id: sagaID, partitionKey: interview.id,
            data: try InterviewSchedulingHandlers.reschedulingData(of: interview, request: body))
        try await services.interviews.audit(.init(actor: caller.subject, action: "interview.reschedule", target: interview.id, detail: sagaID, at: Int64(Date().timeIntervalSince1970)))
        var headers = HTTPFields()
        headers[.location] = "/api/v1/interviews/\(interview.id)"
        return try APIServices.json(.accepted, ["interviewId": interview.id, "status": "rescheduling", "rescheduleId": sagaID], headers: headers)
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
        var calendarEvents: [[String: String]]
    }

    func summary(_ interview: InterviewStore.Interview) -> Summary {
        let bookings = (try? JSONSerialization.jsonObject(with: Data(interview.bookings.utf8)) as? [[String: String]]) ?? []
        return Summary(
            interviewId: interview.id, requestId: interview.requestID, candidateId: interview.candidateID,
            start: ISO8601.format(Instant(secondsSinceEpoch: interview.start)), end: ISO8601.format(Instant(secondsSinceEpoch: interview.end)),
            status: interview.status, sequence: interview.sequence, invitation: "/api/v1/interviews/\(interview.id)/invite.ics", calendarEvents: bookings)
    }

    func list(_ request: Request) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let query = request.uri.queryParameters
        func instant(_ name: String) throws -> Int64? {
            guard let text = query.get(name) else { return nil }
            guard let instant = ISO8601.instant(text, form: .rfc3339) else {
                throw APIProblem.badRequest(field: name, "expected an RFC 3339 date-time such as 2026-03-09T14:00:00Z, got \"\(text.prefix(80))\"")
            }
            return instant.secondsSinceEpoch
        }
        let from = try instant("from")
        let to = try instant("to")
        let interviews = try await services.interviews.interviews(
            candidateID: query.get("candidateId"), from: from, to: to, owner: caller.role == .admin ? nil : caller.subject)
        return try APIServices.json(.ok, ["interviews": interviews.map(summary)])
    }

    func owned(_ id: String, caller: Caller) async throws -> InterviewStore.Interview {
        guard let interview = try await services.interviews.interview(id: id), caller.mayAccess(ownedBy: interview.owner) else {
            throw APIProblem.notFound("interview \(id.prefix(100))")
        }
        return interview
    }

    func show(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        return try APIServices.json(.ok, summary(try await owned(id, caller: caller)))
    }

    /// The candidate's invitation: the REQUEST, or the CANCEL once the interview is cancelled.
    func invite(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let interview = try await owned(id, caller: caller)
        let (method, text) = interview.inviteCancel.map { ("CANCEL", $0) } ?? ("REQUEST", interview.inviteRequest)
        var headers = HTTPFields()
        headers[.contentType] = "text/calendar; charset=utf-8; method=\(method)"
        headers[.contentDisposition] = "attachment; filename=\"\(interview.id).ics\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
