import Foundation
package import SagaCore

/// What the erasure's steps need of their database beside the interview sagas' storage:
/// `SQLiteInterviewSagaStorage` and `PostgresInterviewSagaStorage` implement it.
package protocol CandidateErasureStorage: InterviewSagaStorage {
    /// What the database holds of the candidate, in a transaction of its own.
    func traces(ofCandidate candidateID: String) async throws -> CandidateTraces

    /// In the transaction that stores the step's outcome: reads the candidate's traces again,
    /// refuses (a transient failure) while one of their sagas has not settled, rewrites their
    /// sagas (data, last error, log messages, outbox payloads) and their interview tables
    /// without them, and appends the audit entry `outcome` gives with the counts.
    func decision(
        erasingCandidate candidateID: String, then outcome: @escaping @Sendable (ErasureCounts) throws -> (StepOutcome, AuditEntry)
    ) -> Decision

    /// Makes what the erasure rewrote leave the database's files as far as the backend allows;
    /// false when it should be tried again.
    func purgeErasedBytes() async throws -> Bool
}

/// The candidate is still busy in the database: the erasure's transaction waits for it.
struct CandidateStillBusy {
    static func failure() -> StepFailure { StepFailure(.transient, "a saga of the candidate started again; waiting for it") }
}
