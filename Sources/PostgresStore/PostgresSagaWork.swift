package import Foundation
package import PostgresNIO
package import SagaCore

/// The engine's view of a PostgreSQL store that several service instances share. This
/// instance, `owner`, claims due sagas with a lease (`claimDueWork`), renews it every third
/// of `lease` while it works on one, and gives it up when the work is done. An instance that
/// dies keeps its leases until they run out; the others then claim those sagas and repeat
/// the step that was running, with the same idempotency key.
package struct PostgresSagaWork: SagaWorkStore {
    /// A decision reads and writes the application's tables on the connection of the
    /// transaction that stores the action's outcome.
    package typealias Decision = @Sendable (PostgresConnection) async throws -> StepOutcome

    package let store: PostgresSagaStore
    package let owner: String
    package let lease: Duration
    /// How long a call may wait for the database before it fails (`DeadlineExceeded`).
    package let answerWithin: Duration
    let clock: any WallClock

    /// `owner` names this instance in the leases it takes (unique per process: a host name and
    /// a process id, say). `clock` must agree with the other instances' to well within `lease`.
    ///
    /// Every call gives up after `answerWithin`: a query sent while the server restarts can go
    /// unanswered for minutes (see `withDeadline`), and a worker waiting for it would hold its
    /// saga that long. A write given up on may still have landed: the worker leaves the saga
    /// (parked for a while), and whoever claims it next reads it as stored, the step's outcome
    /// recorded or the step to repeat with its key.
    package init(
        store: PostgresSagaStore, owner: String, lease: Duration = .seconds(30), answerWithin: Duration = defaultAnswerLimit,
        clock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.owner = owner
        self.lease = lease
        self.answerWithin = answerWithin
        self.clock = clock
    }

    /// `call`'s answer, or `DeadlineExceeded` after `answerWithin`.
    private func answer<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withDeadline(answerWithin, call)
    }

    package func insert(_ transition: SagaTransition) async throws -> Bool {
        try await answer { try await store.insert(transition) }
    }

    package func instance(id: String) async throws -> SagaInstance? {
        try await answer { try await store.instance(id: id) }
    }

    package func commit(_ transition: SagaTransition) async throws -> SagaInstance {
        try await answer { try await store.commit(transition) }
    }

    package func commit(
        deciding decision: @escaping Decision, _ transition: @escaping @Sendable (Result<StepOutcome, any Error>) throws -> SagaTransition
    ) async throws -> (stored: SagaInstance, outcome: Result<StepOutcome, any Error>) {
        let logger = store.database.logger
        let whenSettled = store.whenSettled
        let store = store
        return try await answer {
            try await store.database.transaction { connection in
                try await connection.query("SAVEPOINT decision", logger: logger)
                let outcome: Result<StepOutcome, any Error>
                do {
                    outcome = .success(try await decision(connection))
                } catch {
                    // Abandoned (the deadline passed): rolled back, not stored as the
                    // action's failure.
                    if Task.isCancelled { throw CancellationError() }
                    outcome = .failure(error)
                }
                switch outcome {
                case .success: try await connection.query("RELEASE SAVEPOINT decision", logger: logger)
                case .failure: try await connection.query("ROLLBACK TO SAVEPOINT decision", logger: logger)
                }
                let stored = try await PostgresSagaStore.commit(transition(outcome), on: connection, logger: logger, whenSettled: whenSettled)
                return (stored, outcome)
            }
        }
    }

    package func claimDueWork(at now: Date, limit: Int, excluding excluded: Set<String>) async throws -> [String] {
        try await answer { try await store.claimDueWork(owner: owner, at: now, for: lease, limit: limit, excluding: excluded) }
    }

    package var sharedByInstances: Bool { true }

    package func working<T: Sendable>(on sagaID: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        // The claim may have lapsed while the saga waited for a worker: renewed first, and the
        // saga left alone when another instance has claimed it since.
        do {
            guard try await renew(sagaID) else { return nil }
        } catch {
            // Not known to be ours: given up if it is, so that it does not wait to lapse.
            await releaseClaims(on: [sagaID])
            throw error
        }
        let finished = await withTaskGroup(of: Finished<T>.self) { group in
            group.addTask { await keepRenewing(sagaID) ? .claimLost : .renewalsEnded }
            group.addTask {
                do { return .worked(.success(try await work())) } catch { return .worked(.failure(error)) }
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                switch next {
                case .renewalsEnded: continue
                case .worked, .claimLost: return next
                }
            }
            return .renewalsEnded
        }
        // Given up even after a failure or a cancellation (a shutdown): another instance may
        // take the saga at once, and repeats what was running.
        await releaseClaims(on: [sagaID])
        guard case .worked(let result) = finished else { return nil }
        return try result.get()
    }

    /// How `working` ended.
    private enum Finished<T: Sendable>: Sendable {
        case worked(Result<T, any Error>)
        /// Another instance claimed the saga: the work was cancelled.
        case claimLost
        case renewalsEnded
    }

    /// Extends this instance's claim on `sagaID` by a lease from now; false when another
    /// instance holds it now.
    private func renew(_ sagaID: String) async throws -> Bool {
        try await answer { try await store.renewLease(on: sagaID, owner: owner, at: clock.now(), for: lease) }
    }

    /// Renews the claim on `sagaID` every third of a lease; returns true when another instance
    /// took it, false when cancelled.
    private func keepRenewing(_ sagaID: String) async -> Bool {
        while true {
            do {
                try await Task.sleep(for: lease / 3)
                guard try await renew(sagaID) else { return true }
            } catch is CancellationError {
                return false
            } catch {
                // The database is away for a moment: try again at the next third, while the
                // lease still runs.
                continue
            }
        }
    }

    /// Runs outside the calling task, which may be cancelled (a shutdown), so that the releases
    /// are sent all the same.
    package func releaseClaims(on sagaIDs: [String]) async {
        guard !sagaIDs.isEmpty else { return }
        await Task {
            for id in sagaIDs { try? await answer { try await store.releaseLease(on: id, owner: owner) } }
        }.value
    }

    package func nextWakeAt() async throws -> Date? {
        try await answer { try await store.nextClaimableAt(now: clock.now()) }
    }

    package func liveDefinitionVersions() async throws -> Set<DefinitionKey> {
        try await answer { try await store.liveDefinitionVersions() }
    }

    package func hasProcessed(messageID: String) async throws -> Bool {
        try await answer { try await store.hasProcessed(messageID: messageID) }
    }

    package func instanceWaiting(for event: String, correlation: String) async throws -> String? {
        try await answer { try await store.instanceWaiting(for: event, correlation: correlation) }
    }

    package func receive(
        messageID: String, topic: String, at now: Date, transition: SagaTransition?, ignoredBecause reason: String?
    ) async throws -> InboxOutcome {
        try await answer { try await store.receive(messageID: messageID, topic: topic, at: now, transition: transition, ignoredBecause: reason) }
    }
}
