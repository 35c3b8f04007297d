import Foundation
package import SagaCore
package import SchedulingCore

/// The port through which the use cases (`SchedulingApplication`) reach their database: reads,
/// and the starts and aborts of sagas together with the application's own checks and writes
/// in one transaction. `SQLiteSchedulingStorage` and `PostgresSchedulingStorage` implement it.
package protocol SchedulingStorage: Sendable {
    func idempotentRequest(owner: String, key: String) async throws -> InterviewRecords.IdempotentRequest?
    func instance(id: String) async throws -> SagaInstance?
    func interview(id: String) async throws -> InterviewRecord?
    /// A scheduling request as one read sees it, if it exists.
    func requestView(_ requestID: String) async throws -> RequestView?
    func invitationDelivery(ofInterview interviewID: String) async throws -> InvitationDelivery?
    func interviews(candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int) async throws -> [InterviewRecord]
    func auditLog(target: String) async throws -> [AuditEntry]
    /// What the database holds of a candidate, as one read sees it.
    func candidateTraces(_ candidateID: String) async throws -> CandidateTraces
    /// The interview the candidate's page shows, with its request, if both exist.
    func candidateInterview(_ interviewID: String) async throws -> CandidateInterviewView?

    /// Records the candidate's answer, its `interview.updated` and its audit row in one
    /// transaction, as `answer.record` decides on the interview read there; false when it
    /// changed nothing.
    func recordCandidateAnswer(_ answer: CandidateAnswer) async throws -> Bool
    func isReachable() async -> Bool

    /// Starts `start.type` in one transaction with `start.check` and `start.writes`; the writes
    /// are made only when the saga is new.
    func start(_ start: SagaStart) async throws

    /// Stops a running or waiting saga (its steps are undone), with `writes`.
    func abort(id: String, by actor: String, reason: String, writes: [ApplicationWrite]) async throws
}

/// A scheduling request's saga with what belongs to it.
package struct RequestView: Sendable {
    package var instance: SagaInstance
    package var owner: String?
    package var interview: InterviewRecord?
    package var log: [StepLogRecord]
    package var invitation: InvitationDelivery?
}

/// A saga to start, with what must hold and what to write beside it.
package struct SagaStart: Sendable {
    package var type: String
    package var id: String
    package var partitionKey: String
    package var data: SagaData
    package var check: StartCheck
    package var writes: [ApplicationWrite]

    package init(type: String, id: String, partitionKey: String, data: SagaData, check: StartCheck, writes: [ApplicationWrite]) {
        self.type = type
        self.id = id
        self.partitionKey = partitionKey
        self.data = data
        self.check = check
        self.writes = writes
    }
}

/// The application's own rows, written in a command's transaction.
package enum ApplicationWrite: Sendable {
    case owner(requestID: String, owner: String)
    case audit(AuditEntry)
    case idempotentRequest(InterviewRecords.IdempotentRequest, owner: String, key: String, at: Int64)
}

/// What must hold, in the transaction that starts a saga, for a command to go ahead. A
/// storage reads the `StartFacts` a check needs and lets `verdict` judge them.
package enum StartCheck: Sendable {
    /// A new request: its candidate is not being erased; an `Idempotency-Key` used before
    /// came with the same body.
    case newRequest(candidateID: String, owner: String, idempotencyKey: String?, fingerprint: String)
    /// The cancellation of a confirmed request, whose saga was at `requestVersion` when the
    /// cancellation's data was copied from it.
    case cancellation(candidateID: String, requestID: String, requestVersion: Int, interviewID: String, cancellationID: String)
    /// The reschedule of a confirmed interview, as it was when the reschedule was prepared.
    case reschedule(
        candidateID: String, requestID: String, requestVersion: Int, interviewID: String, cancellationID: String, sequence: Int, slot: Interval)
    /// The erasure of a candidate: no other erasure of theirs runs (the first start wins, and
    /// the others answer with it: `ErasureAlreadyRunning`).
    case erasure(candidateID: String)

    /// What the transactions of two such commands must not interleave on: they take a lock on
    /// each (on PostgreSQL; SQLite's one writer orders them anyway). A cancellation and a
    /// reschedule copy the candidate's details from their request, so they lock the candidate
    /// too: the erasure's rewrite, under the same lock, comes wholly before or after them.
    package var serializingKeys: [String] {
        switch self {
        case .newRequest(let candidate, let owner, let key, _): ["candidate:\(candidate)"] + (key.map { ["idempotency:\(owner)\n\($0)"] } ?? [])
        case .cancellation(let candidate, _, _, let interview, _), .reschedule(let candidate, _, _, let interview, _, _, _):
            ["candidate:\(candidate)", "interview:\(interview)"]
        case .erasure(let candidate): ["candidate:\(candidate)"]
        }
    }

    /// Refuses the command when the facts say so.
    package func verdict(_ facts: StartFacts) throws {
        switch self {
        case .newRequest(let candidate, _, let key, let fingerprint):
            if facts.runningErasure != nil {
                throw ApplicationError.conflict("candidate \(candidate.prefix(100)) is being erased; ask again once the erasure has finished")
            }
            if let key, let earlier = facts.earlierRequest, earlier.bodyFingerprint != fingerprint {
                throw ApplicationError.idempotencyKeyReused(key)
            }
        case .cancellation(_, let requestID, let requestVersion, let interviewID, let cancellationID):
            try Self.requireUnchanged(requestID, at: requestVersion, facts)
            if facts.interview?.status == .cancelled { throw ApplicationError.conflict("request \(requestID) is cancelled already") }
            if let earlier = facts.cancellation {
                switch earlier.status {
                case .completed: throw ApplicationError.conflict("request \(requestID) is cancelled already")
                case .running, .waiting, .compensating: throw ApplicationError.conflict("request \(requestID) is being cancelled")
                case .compensated, .failed:
                    throw ApplicationError.conflict(
                        "an earlier cancellation of request \(requestID) failed (\(earlier.lastError?.description ?? "unknown")); "
                            + "an operator can retry it: scheduler sagas retry \(cancellationID)")
                }
            }
            if facts.rescheduling {
                throw ApplicationError.conflict("interview \(interviewID) is being rescheduled; cancel it when that has finished")
            }
        case .reschedule(_, let requestID, let requestVersion, let interviewID, _, let sequence, let slot):
            try Self.requireUnchanged(requestID, at: requestVersion, facts)
            guard facts.request?.status == .completed else {
                throw ApplicationError.conflict("interview \(interviewID) is still being booked; reschedule it once it is confirmed")
            }
            if facts.rescheduling { throw ApplicationError.conflict("interview \(interviewID) is being rescheduled already") }
            if let cancellation = facts.cancellation, cancellation.status != .compensated {
                throw ApplicationError.conflict("interview \(interviewID) is cancelled or being cancelled; it cannot be rescheduled")
            }
            guard let current = facts.interview, current.status == .confirmed else {
                throw ApplicationError.conflict("interview \(interviewID) is cancelled; it cannot be rescheduled")
            }
            guard current.sequence == sequence, current.slot == slot else {
                throw ApplicationError.conflict("interview \(interviewID) changed while this reschedule was prepared; try again")
            }
        case .erasure:
            if let other = facts.runningErasure { throw ErasureAlreadyRunning(id: other) }
        }
    }
}

extension StartCheck {
    /// Refuses a command whose data was copied from its request's saga at `version` when the
    /// saga has been written since (an erasure rewrote it, say): the copy may hold what is gone.
    static func requireUnchanged(_ requestID: String, at version: Int, _ facts: StartFacts) throws {
        guard facts.request?.version == version else {
            throw ApplicationError.conflict("request \(requestID) changed while this command was prepared; try again")
        }
    }
}

/// What a `StartCheck` looks at, read in the starting transaction.
package struct StartFacts: Sendable {
    /// The id of an erasure of the candidate that has not settled.
    package var runningErasure: String?
    /// What the `Idempotency-Key` was first used for.
    package var earlierRequest: InterviewRecords.IdempotentRequest?
    /// The request's saga.
    package var request: SagaInstance?
    /// The interview as stored now.
    package var interview: InterviewRecord?
    /// The request's cancellation saga, if one was started.
    package var cancellation: SagaInstance?
    /// A reschedule of the interview has not settled.
    package var rescheduling = false

    package init() {}
}
