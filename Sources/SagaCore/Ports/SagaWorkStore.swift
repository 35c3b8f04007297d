package import Foundation

/// The saga state as the engine moves it. The SQLite store is one, used by one process; the
/// PostgreSQL store, shared by several instances, is another: there an instance claims the
/// sagas it moves with a lease, and the version column fences out the writes of an instance
/// that lost its claim.
package protocol SagaWorkStore: Sendable {
    /// What a transactional action hands back: writes to the application's tables that
    /// decide the action's outcome, run in the transaction that stores it.
    associatedtype Decision: Sendable

    /// Stores a new instance with its first log lines; false (and nothing written) when an
    /// instance with that id exists already.
    func insert(_ transition: SagaTransition) async throws -> Bool

    /// The instance as stored.
    func instance(id: String) async throws -> SagaInstance?

    /// Stores `transition` if the instance is still at its version, else throws
    /// `StaleSagaWrite`; returns the stored instance.
    func commit(_ transition: SagaTransition) async throws -> SagaInstance

    /// Runs `decision` and stores `transition(outcome)` in one transaction. A decision that
    /// throws has its own writes undone, and its error is the outcome.
    func commit(
        deciding decision: Decision, _ transition: @escaping @Sendable (Result<StepOutcome, any Error>) throws -> SagaTransition
    ) async throws -> (stored: SagaInstance, outcome: Result<StepOutcome, any Error>)

    /// Up to `limit` sagas with work due at `now`, most overdue first, claimed for this
    /// process: no other process is given them until `working(on:)` ends or the claim lapses.
    func claimDueWork(at now: Date, limit: Int) async throws -> [String]

    /// Runs `work` on a claimed saga, keeping the claim alive meanwhile; gives it up after.
    func working<T: Sendable>(on sagaID: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T

    /// Whether this process still holds its claim on `sagaID`. False once another process
    /// took the saga over: a step that finishes then must leave its result unrecorded, since
    /// the new holder repeats it (with the same idempotency key).
    func holdsClaim(on sagaID: String) async throws -> Bool

    /// When the next instance's work falls due, if any is scheduled.
    func nextWakeAt() async throws -> Date?

    /// The `(type, definition version)` pairs that unsettled instances still run on.
    func liveDefinitionVersions() async throws -> Set<DefinitionKey>

    /// Whether a message id has been processed already.
    func hasProcessed(messageID: String) async throws -> Bool

    /// The id of the instance waiting for `event` with `correlation`, if any.
    func instanceWaiting(for event: String, correlation: String) async throws -> String?

    /// Records an inbound message and, in the same transaction, the transition it caused. A
    /// message id seen before changes nothing and reports `.duplicate`.
    func receive(
        messageID: String, topic: String, at now: Date, transition: SagaTransition?, ignoredBecause reason: String?
    ) async throws
        -> InboxOutcome
}
