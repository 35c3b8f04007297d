package import Foundation
package import GRDB
package import SagaCore

/// The engine's view of the SQLite store. One process uses the file (the data directory's
/// instance lock sees to that), so every due saga is this process's to move: a claim is the
/// due list itself, and the in-process per-saga locks do the rest.
extension SagaStore: SagaWorkStore {
    /// A decision reads and writes the application's tables in the transaction that stores
    /// the action's outcome.
    package typealias Decision = @Sendable (Database) throws -> StepOutcome

    package func commit(
        deciding decision: @escaping Decision, _ transition: @escaping @Sendable (Result<StepOutcome, any Error>) throws -> SagaTransition
    ) async throws -> (stored: SagaInstance, outcome: Result<StepOutcome, any Error>) {
        try await write { db in
            var outcome: Result<StepOutcome, any Error> = .failure(StepFailure(.transient, "the decision did not run"))
            try db.inSavepoint {
                do {
                    outcome = .success(try decision(db))
                    return .commit
                } catch {
                    outcome = .failure(error)
                    return .rollback
                }
            }
            return (try self.commit(transition(outcome), in: db), outcome)
        }
    }

    package var sharedByInstances: Bool { false }

    package func claimDueWork(at now: Date, limit: Int, excluding excluded: Set<String>) async throws -> [String] {
        Array(try await dueInstanceIDs(at: now, limit: limit + excluded.count).filter { !excluded.contains($0) }.prefix(limit))
    }

    package func working<T: Sendable>(on sagaID: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await work()
    }

    package func releaseClaims(on sagaIDs: [String]) async {}
}
