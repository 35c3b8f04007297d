import Foundation
import Hummingbird
import InterviewScheduling
import SagaCore
import SagaEngine
import SagaStore
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
        let data = try await services.body(of: request)
        let fingerprint = RequestFingerprint.hex(data)
        let key = request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value
        if let key {
            guard !key.isEmpty, key.unicodeScalars.count <= 200, !key.contains(where: \.isNewline) else {
                throw APIProblem.badRequest(field: "Idempotency-Key", "must be 1 to 200 characters on one line")
            }
            if let stored = try await services.interviews.idempotentResponse(owner: caller.subject, key: key) {
                guard stored.bodyHash == fingerprint else {
                    throw APIProblem(.unprocessableContent, "Idempotency-Key reused", detail: "Idempotency-Key \"\(key)\" was used with another body", field: "Idempotency-Key")
                }
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                if let location = stored.location { headers[.location] = location }
                return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
            }
        }
        let now = Date()
        let body: SchedulingRequestBody
        do {
            body = try SchedulingRequestBody.decode(from: data, now: Instant(now))
        } catch {
            throw APIProblem.badRequest(field: error.field, error.reason)
        }
        let requestID = key.map { "req-" + RequestFingerprint.hex(Array("\(caller.subject)\n\($0)".utf8)) } ?? "req-" + UUID().uuidString.lowercased()
        let sagaData: SagaData = try [
            "request": .encoding(body),
            "owner": .string(caller.subject), "requestId": .string(requestID),
        ]
        try await services.engine.start(type: "interview-scheduling", id: requestID, partitionKey: body.candidate.id ?? requestID, data: sagaData)
        let location = "/api/v1/scheduling-requests/\(requestID)"
        let accepted = Accepted(requestId: requestID, status: "accepted", links: ["self": location])
        let encoded = try JSONEncoder().encode(accepted)
        try await services.interviews.recordAccepted(
            requestID: requestID, owner: caller.subject,
            audit: .init(actor: caller.subject, action: "scheduling-request.create", target: requestID, detail: "candidate \(body.candidate.id ?? "")", at: Int64(now.timeIntervalSince1970)),
            idempotencyKey: key, response: .init(bodyHash: fingerprint, status: 202, body: encoded, location: location))
        var headers = HTTPFields()
        headers[.location] = location
        return try APIServices.json(.accepted, accepted, headers: headers)
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

        var requestId: String
        var state: String
        var slot: [String: String]?
        var interviewId: String?
        var error: String?
        var timeline: [Entry]
    }

    func show(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let instance = try await ownedInstance(id, caller: caller)
        let log = try await services.engine.store.stepLog(sagaID: id)
        let slot = instance.data["slot"].flatMap { value -> [String: String]? in
            guard let start = value["start"]?.stringValue, let end = value["end"]?.stringValue else { return nil }
            return ["start": start, "end": end]
        }
        let cancelled = try await services.interviews.interview(requestID: id)?.status == "cancelled"
        let status = Status(
            requestId: id, state: cancelled ? "cancelled" : Self.state(of: instance), slot: slot, interviewId: instance.data["interviewId"]?.stringValue,
            error: instance.lastError?.description,
            timeline: log.map { .init(at: ISO8601.format(Instant($0.at)), step: $0.step, phase: $0.phase.rawValue, outcome: $0.outcome.rawValue, attempt: $0.attempt, message: $0.message) })
        return try APIServices.json(.ok, status)
    }

    /// What a recruiter reads: `pending`, `confirmed`, `failed` (undone), `cancelled`, or
    /// `needs-operator` (an undo step keeps failing).
    static func state(of instance: SagaInstance) -> String {
        switch instance.status {
        case .running, .waiting: return "pending"
        case .completed: return "confirmed"
        case .compensating: return "undoing"
        case .compensated: return instance.lastError?.message.hasPrefix("aborted by") == true ? "cancelled" : "failed"
        case .failed: return "needs-operator"
        }
    }

    struct CancelBody: Codable {
        var reason: String?
    }

    func cancel(_ request: Request, id: String) async throws -> Response {
        let caller = try await services.authenticator.caller(of: request)
        let instance = try await ownedInstance(id, caller: caller)
        let data = try await services.body(of: request)
        let body = data.isEmpty ? CancelBody() : try decodeCancel(data)
        let reason = body.reason ?? "interviewer_unavailable"
        let now = Date()
        switch instance.status {
        case .running, .waiting:
            _ = try await services.engine.abort(id: id, by: caller.subject, reason: reason)
        case .completed:
            let cancelling = try await services.engine.store.instance(id: "\(id):cancel") != nil
            if try await services.interviews.interview(requestID: id)?.status == "cancelled" || cancelling {
                throw APIProblem(.conflict, "Illegal state change", detail: "request \(id) is cancelled already")
            }
            try await services.engine.start(
                type: "interview-cancellation", id: "\(id):cancel", partitionKey: instance.partitionKey,
                data: InterviewSchedulingHandlers.cancellationData(of: instance.data, requestID: id, reason: reason, by: caller.subject))
        case .compensating, .compensated, .failed:
            throw APIProblem(.conflict, "Illegal state change", detail: "request \(id) is \(Self.state(of: instance)); it cannot be cancelled")
        }
        try await services.interviews.audit(.init(actor: caller.subject, action: "scheduling-request.cancel", target: id, detail: reason, at: Int64(now.timeIntervalSince1970)))
        return try APIServices.json(.accepted, ["requestId": id, "status": "cancelling"])
    }

    func decodeCancel(_ data: Data) throws -> CancelBody {
        let body: CancelBody
        do {
            body = try JSONDecoder().decode(CancelBody.self, from: data)
        } catch {
            throw APIProblem.badRequest(field: "", "the body must be a JSON object such as {\"reason\": \"candidate_no_show\"}")
        }
        let allowed = ["candidate_no_show", "interviewer_unavailable", "technical_issues"]
        if let reason = body.reason, !allowed.contains(reason) {
            throw APIProblem.badRequest(field: "reason", "must be one of \(allowed.joined(separator: ", ")), got \"\(reason.prefix(80))\"")
        }
        return body
    }

    func ownedInstance(_ id: String, caller: Caller) async throws -> SagaInstance {
        guard let instance = try await services.engine.store.instance(id: id), instance.type == "interview-scheduling",
              caller.mayAccess(ownedBy: instance.data["owner"]?.stringValue ?? "")
        else { throw APIProblem.notFound("scheduling request \(id.prefix(100))") }
        return instance
    }
}
