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
    /// throws has its own writes undone, and its error is the outcome; one abandoned midway
    /// (cancelled) stores nothing.
    func commit(
        deciding decision: Decision, _ transition: @escaping @Sendable (Result<StepOutcome, any Error>) throws -> SagaTransition
    ) async throws -> (stored: SagaInstance, outcome: Result<StepOutcome, any Error>)

    /// Whether other processes move sagas in this store too (PostgreSQL shared by several
    /// instances). Then a process claims no more work than it has workers for, and a step whose
    /// saga another writer moved meanwhile leaves its result unrecorded: that writer is an
    /// instance that took the saga over (and repeats the step with the same idempotency key) or
    /// applied an event to it. With one process (SQLite), such a writer is an operator's
    /// command, and the late result is recorded so that the compensation sees it.
    var sharedByInstances: Bool { get }

    /// Up to `limit` sagas with work due at `now`, most overdue first, leaving out `excluded`
    /// (sagas this process parked), claimed for this process: no other process is given them
    /// until the claim is released or lapses.
    func claimDueWork(at now: Date, limit: Int, excluding excluded: Set<String>) async throws -> [String]

    /// Runs `work` on a claimed saga, keeping the claim alive meanwhile, and releases it after.
    /// Returns nil when the claim was lost to another process, which moves the saga now:
    /// before `work` began (it does not run) or while it ran (it is cancelled).
    func working<T: Sendable>(on sagaID: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T?

    /// Gives up claims this process took but will not work on now (a saga parked after
    /// failures), so that another process may take them at once.
    func releaseClaims(on sagaIDs: [String]) async

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
