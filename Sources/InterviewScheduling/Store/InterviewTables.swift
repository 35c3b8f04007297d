package import SchedulingCore

/// The port behind the interview tables: interviews, request owners, idempotency keys and the
/// audit log. Every call runs inside the caller's transaction, so that a use case writes them
/// together with its saga's start or transition.
///
/// Two implementations: `SQLiteInterviewTables` (GRDB), whose calls are synchronous because
/// they run inside GRDB's transaction closures (which satisfies these asynchronous
/// requirements), and `PostgresInterviewTables`, on the connection of the caller's transaction,
/// for several instances sharing one database. Both keep the same rules: a repeated insert
/// changes nothing, the first owner and the first use of an idempotency key stand.
package protocol InterviewTables: Sendable {
    associatedtype Transaction

    /// Stores the interview unless one with its id or its request exists (a repeated step).
    func insert(_ interview: InterviewRecord, in transaction: Transaction) async throws

    /// Marks the interview cancelled with its CANCEL invitation; false when it was already.
    func cancel(id: String, cancelInvite: String, in transaction: Transaction) async throws -> Bool

    /// Moves a confirmed interview to a new time with its new invitation; the candidate has
    /// not answered the new time yet.
    func move(id: String, to slot: Interval, sequence: Int, invite: String, in transaction: Transaction) async throws

    func interview(id: String, in transaction: Transaction) async throws -> InterviewRecord?

    func interview(requestID: String, in transaction: Transaction) async throws -> InterviewRecord?

    /// Interviews of a candidate (or all) starting within [from, to), of `owner` unless nil,
    /// by start then id.
    func interviews(
        candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int, in transaction: Transaction
    ) async throws -> [InterviewRecord]

    /// Records who made a request; the first owner stands.
    func recordOwner(of requestID: String, owner: String, in transaction: Transaction) async throws

    func owner(ofRequest requestID: String, in transaction: Transaction) async throws -> String?

    /// What an `Idempotency-Key` of `owner` was first used for.
    func idempotentRequest(owner: String, key: String, in transaction: Transaction) async throws -> InterviewRecords.IdempotentRequest?

    /// Records the first use of a key; a later one changes nothing.
    func recordIdempotentRequest(
        _ request: InterviewRecords.IdempotentRequest, owner: String, key: String, at: Int64, in transaction: Transaction
    ) async throws

    func append(_ entry: AuditEntry, in transaction: Transaction) async throws

    /// Audit rows, newest first: those whose action begins with `action` and, if given, whose
    /// target is `target`.
    func auditLog(action: String, target: String?, limit: Int, in transaction: Transaction) async throws -> [AuditEntry]

    /// The audit trail of one target, oldest first.
    func auditLog(target: String, in transaction: Transaction) async throws -> [AuditEntry]
}
