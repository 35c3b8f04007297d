import Events
package import Foundation
import GRDB
import SagaCore
package import SagaEngine
package import SagaStore
import SchedulingCore

/// The use cases of the service, between the HTTP API and the sagas. Every command is one
/// transaction in the one database: the saga's start or transition together with the
/// request's owner, the audit row and the idempotent answer, so a crash leaves all or none.
/// They reach the database through `storage`: SQLite, or PostgreSQL shared by several
/// instances.
package struct SchedulingApplication: Sendable {
    let storage: any SchedulingStorage
    /// The wall clock of the API (saga steps use the engine's).
    let now: @Sendable () -> Date

    package init(storage: any SchedulingStorage, now: @escaping @Sendable () -> Date = Date.init) {
        self.storage = storage
        self.now = now
    }

    /// The use cases on the service's SQLite file.
    package init(engine: SagaEngine<SagaStore>, now: @escaping @Sendable () -> Date = Date.init) {
        self.init(storage: SQLiteSchedulingStorage(engine: engine), now: now)
    }

    // MARK: Request an interview

    /// Starts the scheduling saga. A repeat with the same `Idempotency-Key` and body answers as
    /// the first did; with another body it is refused.
    package func requestInterview(_ command: RequestInterview) async throws -> RequestAccepted {
        let caller = command.caller
        let fingerprint = RequestFingerprint.hex(command.body)
        if let key = command.idempotencyKey {
            guard !key.isEmpty, key.unicodeScalars.count <= 200, !key.contains(where: \.isNewline) else {
                throw ApplicationError.invalid(field: "Idempotency-Key", reason: "must be 1 to 200 characters on one line")
            }
            if let earlier = try await storage.idempotentRequest(owner: caller.subject, key: key) {
                guard earlier.bodyFingerprint == fingerprint else { throw ApplicationError.idempotencyKeyReused(key) }
                return RequestAccepted(requestID: earlier.requestID)
            }
        }
        let at = now()
        let body: SchedulingRequestBody
        do {
            body = try SchedulingRequestBody.decode(from: command.body, now: Instant(at))
        } catch {
            throw ApplicationError.invalid(field: error.field, reason: error.reason)
        }
        let requestID =
            command.idempotencyKey.map { "req-" + RequestFingerprint.hex(Array("\(caller.subject)\n\($0)".utf8)) }
            ?? "req-" + UUID().uuidString.lowercased()
        let data = try SagaData(encoding: SchedulingSagaData(request: body, owner: caller.subject, requestId: requestID))
        let audit = AuditEntry(
            actor: caller.subject, action: "scheduling-request.create", target: requestID, detail: "candidate \(body.candidateID)",
            at: Instant(at).secondsSinceEpoch)
        let key = command.idempotencyKey
        // Two requests with one key at once: the second sees the first's answer inside the
        // write, so a different body is refused there too.
        var writes: [ApplicationWrite] = [.owner(requestID: requestID, owner: caller.subject), .audit(audit)]
        if let key {
            writes.append(
                .idempotentRequest(.init(bodyFingerprint: fingerprint, requestID: requestID), owner: caller.subject, key: key, at: audit.at))
        }
        try await storage.start(
            SagaStart(
                type: InterviewSagaKind.scheduling.rawValue, id: requestID, partitionKey: body.candidateID, data: data,
                check: .newRequest(candidateID: body.candidateID, owner: caller.subject, idempotencyKey: key, fingerprint: fingerprint),
                writes: writes))
        return RequestAccepted(requestID: requestID)
    }

    // MARK: Show a request

    package func requestStatus(_ requestID: String, caller: Caller) async throws -> RequestStatus {
        let view = try Self.owned(try await storage.requestView(requestID), requestID, caller: caller)
        let instance = view.instance
        let data = try instance.data.decoded(as: SchedulingSagaData.self)
        return RequestStatus(
            requestID: requestID, state: RequestStatus.state(of: instance, interviewStatus: view.interview?.status), slot: data.slot?.interval,
            interviewID: data.interviewId, error: instance.lastError?.description, invitation: view.invitation,
            timeline: view.log.map {
                .init(at: $0.at, step: $0.step, phase: $0.phase.rawValue, outcome: $0.outcome.rawValue, attempt: $0.attempt, message: $0.message)
            })
    }

    /// The request's view, if the caller may see it.
    static func owned(_ view: RequestView?, _ requestID: String, caller: Caller) throws -> RequestView {
        guard let view, view.instance.type == InterviewSagaKind.scheduling.rawValue, let owner = view.owner, caller.mayAccess(ownedBy: owner)
        else { throw ApplicationError.notFound("scheduling request \(requestID.prefix(100))") }
        return view
    }

    /// The request's saga, if the caller may see it.
    func ownedRequest(_ requestID: String, caller: Caller) async throws -> SagaInstance {
        try Self.owned(try await storage.requestView(requestID), requestID, caller: caller).instance
    }

    // MARK: Cancel

    /// Stops a request that is still being scheduled (its steps are undone), or starts the
    /// cancellation of a confirmed interview. Refused once cancelled, while a reschedule or
    /// another cancellation runs, and after a failure.
    package func cancel(_ command: CancelRequest) async throws {
        let requestID = command.requestID
        let caller = command.caller
        let instance = try await ownedRequest(requestID, caller: caller)
        let reason = try Self.cancelReason(command.reason)
        let audit = AuditEntry(
            actor: caller.subject, action: "scheduling-request.cancel", target: requestID, detail: reason.rawValue,
            at: Instant(now()).secondsSinceEpoch)
        switch instance.status {
        case .running, .waiting:
            do {
                try await storage.abort(id: requestID, by: caller.subject, reason: reason.rawValue, writes: [.audit(audit)])
            } catch let illegal as IllegalTransition {
                // It moved on (confirmed, or failed) between the read and the abort.
                throw ApplicationError.conflict("request \(requestID) is \(illegal.status.rawValue) now; try again")
            }
        case .completed:
            let booking = try instance.data.decoded(as: SchedulingSagaData.self)
            let data = try SagaData(encoding: CancellationSagaData(booking: booking, reason: reason, by: caller.subject))
            let cancellationID = InterviewIDs.cancellation(ofRequest: requestID)
            let interviewID = InterviewIDs.interview(forRequest: requestID)
            try await storage.start(
                SagaStart(
                    type: InterviewSagaKind.cancellation.rawValue, id: cancellationID, partitionKey: instance.partitionKey, data: data,
                    check: .cancellation(
                        candidateID: instance.partitionKey, requestID: requestID, requestVersion: instance.version, interviewID: interviewID,
                        cancellationID: cancellationID), writes: [.audit(audit)]))
        case .compensating, .compensated, .failed:
            let state = RequestStatus.state(of: instance, interviewStatus: nil)
            throw ApplicationError.conflict("request \(requestID) is \(state.rawValue); it cannot be cancelled")
        }
    }

    /// The catalog's reasons; `interviewer_unavailable` when none is given.
    static func cancelReason(_ text: String?) throws -> InterviewCancelled.Reason {
        guard let text else { return .interviewerUnavailable }
        guard let reason = InterviewCancelled.Reason(rawValue: text) else {
            let allowed = InterviewCancelled.Reason.allCases.map(\.rawValue).joined(separator: ", ")
            throw ApplicationError.invalid(field: "reason", reason: "must be one of \(allowed), got \"\(text.prefix(80))\"")
        }
        return reason
    }

    // MARK: Reschedule

    /// Starts moving a confirmed interview into a new window. At most one reschedule of an
    /// interview runs at a time, none before its booking has finished or once it is being
    /// cancelled, and none from a stale reading: the checks and the start are one transaction.
    package func reschedule(_ command: RescheduleInterview) async throws -> RescheduleAccepted {
        let interview = try await ownedInterview(command.interviewID, caller: command.caller)
        return try await startReschedule(interview, window: command.window, preferredTimes: command.preferredTimes, actor: command.caller.subject)
    }

    /// The request's window as instants (its times may be wall-clock times of a zone).
    static func window(of request: SchedulingRequestBody) -> Interval? {
        try? request.slotRequest(busy: [:]).validated(clock: Instant(secondsSinceEpoch: 0)).window
    }

    /// The reschedule of `interview` into `window`, by `actor` (a recruiter, or the candidate
    /// through their page, whose window must lie inside the original request's).
    func startReschedule(
        _ interview: InterviewRecord, window: SlotRequest.TimeRange, preferredTimes: [SlotRequest.TimeRange]?, actor: String,
        withinOriginalWindow: Bool = false
    ) async throws -> RescheduleAccepted {
        guard interview.status == .confirmed else {
            throw ApplicationError.conflict("interview \(interview.id) is \(interview.status.rawValue); it cannot be rescheduled")
        }
        guard let original = try await storage.instance(id: interview.requestID) else {
            throw ApplicationError.notFound("the request of interview \(interview.id.prefix(100))")
        }
        var request = try original.data.decoded(as: SchedulingSagaData.self).request
        let originalWindow = request.window
        request.window = window
        request.preferredTimes = preferredTimes
        do {
            request = try request.checked(now: Instant(now()))
        } catch {
            throw ApplicationError.invalid(field: error.field, reason: error.reason)
        }
        var offered = request
        offered.window = originalWindow
        offered.preferredTimes = nil
        if withinOriginalWindow, let asked = Self.window(of: request), let allowed = Self.window(of: offered),
            asked.start < allowed.start || asked.end > allowed.end
        {
            throw ApplicationError.invalid(
                field: "window", reason: "must lie between \(originalWindow.start) and \(originalWindow.end), the times the recruiter offered")
        }
        let sagaID = InterviewIDs.rescheduling(ofRequest: interview.requestID, attempt: UUID().uuidString.lowercased())
        let data = try SagaData(encoding: ReschedulingSagaData(interview: interview, request: request))
        let audit = AuditEntry(
            actor: actor, action: "interview.reschedule", target: interview.id, detail: sagaID, at: Instant(now()).secondsSinceEpoch)
        let interviewID = interview.id
        try await storage.start(
            SagaStart(
                type: InterviewSagaKind.rescheduling.rawValue, id: sagaID, partitionKey: interviewID, data: data,
                check: .reschedule(
                    candidateID: original.partitionKey, requestID: interview.requestID, requestVersion: original.version, interviewID: interviewID,
                    cancellationID: InterviewIDs.cancellation(ofRequest: interview.requestID),
                    sequence: interview.sequence, slot: interview.slot),
                writes: [.audit(audit)]))
        return RescheduleAccepted(interviewID: interviewID, rescheduleID: sagaID)
    }

    // MARK: Interviews and invitations

    package func interviews(_ query: InterviewQuery) async throws -> [InterviewRecord] {
        try await storage.interviews(
            candidateID: query.candidateID, from: query.from, to: query.to, owner: query.caller.ownerFilter, limit: query.limit)
    }

    /// The interview, with how its invitation's e-mail fares.
    package func interview(_ id: String, caller: Caller) async throws -> InterviewRecord {
        var interview = try await ownedInterview(id, caller: caller)
        interview.invitationDelivery = try await storage.invitationDelivery(ofInterview: id)
        return interview
    }

    package func invitation(ofInterview id: String, caller: Caller) async throws -> InvitationFile {
        let interview = try await ownedInterview(id, caller: caller)
        if interview.inviteRequest.isEmpty {
            throw ApplicationError.notFound("the invitation of interview \(id.prefix(100)), erased with its candidate")
        }
        if let cancel = interview.inviteCancel { return InvitationFile(interviewID: interview.id, method: .cancel, text: cancel) }
        return InvitationFile(interviewID: interview.id, method: .request, text: interview.inviteRequest)
    }

    func ownedInterview(_ id: String, caller: Caller) async throws -> InterviewRecord {
        guard let interview = try await storage.interview(id: id), caller.mayAccess(ownedBy: interview.owner) else {
            throw ApplicationError.notFound("interview \(id.prefix(100))")
        }
        return interview
    }

    /// The audit trail of a request or an interview, oldest first.
    package func auditLog(of target: String) async throws -> [AuditEntry] {
        try await storage.auditLog(target: target)
    }

    /// Whether the database answers, for `/health/ready`.
    package func databaseIsReachable() async -> Bool {
        await storage.isReachable()
    }
}
