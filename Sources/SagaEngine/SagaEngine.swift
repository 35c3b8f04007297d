import Foundation
package import Logging
package import SagaCore
import Synchronization

/// Runs sagas: many at once (a bounded pool of workers), each strictly one step at a time,
/// with every decision stored before anything outside is touched.
///
/// A dispatcher finds instances whose work is due (ready steps, ended backoffs, passed
/// deadlines) and queues them; workers take a saga's lock and move it until nothing more is
/// due now. On shutdown, a step interrupted mid-call is left as started: after a restart
/// it runs again with the same idempotency key.
///
/// `Store` is where the sagas live: SQLite for one process, PostgreSQL for several instances
/// that claim their work from one shared database.
package final class SagaEngine<Store: SagaWorkStore>: Sendable {
    package let store: Store
    package let catalog: SagaCatalog
    let handlers: SagaHandlers<Store.Decision>
    let clock: any WallClock
    let maxConcurrency: Int
    let logger: Logger
    let metrics: SagaMetrics
    let locks = KeyedLocks()
    let wake = WakeSignal()
    /// How long the dispatcher sleeps at most between looks at the database.
    let pollInterval: Duration

    package init(
        store: Store, catalog: SagaCatalog, handlers: SagaHandlers<Store.Decision>, clock: any WallClock = SystemWallClock(),
        maxConcurrency: Int = 32, pollInterval: Duration = .seconds(1), logger: Logger = Logger(label: "saga-engine")
    ) {
        self.store = store
        self.catalog = catalog
        self.handlers = handlers
        self.clock = clock
        self.maxConcurrency = max(1, maxConcurrency)
        self.pollInterval = pollInterval
        self.logger = logger
        self.metrics = SagaMetrics()
    }

    /// Fails when an unsettled instance runs on a definition version that is no longer
    /// loaded: its file must stay in `sagas/` until those instances finish.
    package func checkLiveDefinitionsAreLoaded() async throws {
        let missing = try await store.liveDefinitionVersions().filter { catalog.definition($0.name, version: $0.version) == nil }
        guard missing.isEmpty else { throw MissingDefinitions(keys: missing.sorted { $0.description < $1.description }) }
    }

    /// Starts an instance of the newest version of `type`. Starting an id that exists
    /// already returns the existing instance, so a retried request does not start twice.
    @discardableResult
    package func start(type: String, id: String, partitionKey: String, data: SagaData) async throws -> SagaInstance {
        let transition = try startTransition(type: type, id: id, partitionKey: partitionKey, data: data)
        guard try await store.insert(transition) else {
            guard let existing = try await store.instance(id: id) else { throw UnknownSaga(id: id) }
            return existing
        }
        started(type)
        return transition.instance
    }

    /// The transition that starts an instance of the newest version of `type`.
    func startTransition(type: String, id: String, partitionKey: String, data: SagaData) throws -> SagaTransition {
        guard let definition = catalog.latest(type) else { throw UnknownSagaType(type: type) }
        return SagaMachine(definition: definition).start(id: id, partitionKey: partitionKey, data: data, now: clock.now())
    }

    /// Counts a started instance and wakes the workers for it.
    func started(_ type: String) {
        metrics.started(type)
        wake.signal()
    }

    /// Runs until the surrounding task is cancelled; refuses to start while a running
    /// instance's definition is not loaded.
    package func run() async throws {
        try await checkLiveDefinitionsAreLoaded()
        let queue = WorkQueue()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<maxConcurrency {
                group.addTask {
                    while let id = await queue.next() {
                        let moved = await self.advance(id)
                        if await queue.finished(id, stalled: !moved, now: self.clock.now()) { await self.store.releaseClaims(on: [id]) }
                        self.wake.signal()
                    }
                }
            }
            group.addTask {
                await self.dispatch(to: queue)
                await queue.close()
            }
        }
    }

    /// Moves every instance whose work is due now until none is, `maxConcurrency` at a time;
    /// an instance that cannot be moved is left for this call. With a hand-moved clock, this
    /// is how tests run the engine.
    package func runDueWork() async throws {
        var stalled = Set<String>()
        while true {
            let due = try await store.claimDueWork(at: clock.now(), limit: maxConcurrency, excluding: stalled)
            if due.isEmpty { return }
            await withTaskGroup(of: (String, Bool).self) { group in
                for id in due {
                    group.addTask { (id, await self.advance(id)) }
                }
                for await (id, moved) in group where !moved { stalled.insert(id) }
            }
        }
    }

    private func dispatch(to queue: WorkQueue) async {
        while !Task.isCancelled {
            var queuedSomething = false
            var nextWake: Date?
            let now = clock.now()
            do {
                // Sagas claimed from a shared store are this instance's until released: no
                // more than its workers will take, and a parked one is handed back.
                let limit = store.sharedByInstances ? maxConcurrency - (await queue.inProgress) : maxConcurrency * 4
                let parked = await queue.parkedIDs(after: now)
                var refused: [String] = []
                for id in limit > 0 ? try await store.claimDueWork(at: now, limit: limit, excluding: parked) : [] {
                    // On SQLite the due list names running sagas too: not claims.
                    switch await queue.enqueue(id, now: now, claimed: store.sharedByInstances) {
                    case .queued: queuedSomething = true
                    case .present: break
                    case .refused: refused.append(id)
                    }
                }
                await store.releaseClaims(on: refused)
                nextWake = try await store.nextWakeAt()
            } catch {
                logger.error("cannot read due sagas", metadata: ["error": "\(error)"])
            }
            // Sleep until the next wake-up, the end of a parking, a signal, or the poll
            // interval; when everything due is being worked on or parked, wait instead of spinning.
            var timeout = pollInterval
            if let nextWake, queuedSomething || nextWake > now {
                timeout = min(timeout, .milliseconds(max(0, Int64(nextWake.timeIntervalSince(now) * 1000))))
            }
            if let unpark = await queue.nextUnpark(after: now) {
                timeout = min(timeout, .milliseconds(max(0, Int64(unpark.timeIntervalSince(now) * 1000))))
            }
            if !queuedSomething {
                await wake.wait(timeout: max(timeout, .milliseconds(10)))
            } else if timeout > .zero {
                await wake.wait(timeout: timeout)
            }
        }
    }

    /// Takes the saga's lock and moves it until no more work is due now; false when it
    /// could not be moved (no definition, a store error), so that the caller backs off.
    func advance(_ id: String) async -> Bool {
        do {
            // Nil when another instance claimed the saga meanwhile: it moves the saga now.
            let worked: Void? = try await store.working(on: id) {
                try await self.locks.withLock(id) {
                    // Holding the lock, the instance just stored is the current one: no re-read.
                    // (On a shared store, another instance's write meanwhile is caught by the
                    // version check of the next commit.)
                    var next = try await self.store.instance(id: id).map { Stepped(instance: $0, begun: nil) }
                    while !Task.isCancelled, let current = next {
                        next = try await self.step(current.instance, begun: current.begun)
                    }
                }
            }
            if worked == nil {
                metrics.claimLost()
                logger.notice("saga claimed by another instance; leaving it", metadata: ["sagaId": "\(id)"])
            }
            return true
        } catch is StaleSagaWrite {
            logger.notice("saga moved by another writer; leaving it", metadata: ["sagaId": "\(id)"])
            return true
        } catch {
            logger.error("saga could not be moved", metadata: ["sagaId": "\(id)", "error": "\(error)"])
            return false
        }
    }

    /// A stored instance, and the work its last commit began (stored as started, not yet run).
    private struct Stepped {
        var instance: SagaInstance
        var begun: SagaWork?
    }

    /// Performs one piece of due work (`begun`, when the last commit began it; otherwise what
    /// is due, begun first); returns the stored result, or nil when nothing was due.
    private func step(_ instance: SagaInstance, begun alreadyBegun: SagaWork?) async throws -> Stepped? {
        guard let definition = catalog.definition(instance.type, version: instance.definitionVersion) else {
            throw MissingDefinitions(keys: [DefinitionKey(name: instance.type, version: instance.definitionVersion)])
        }
        let machine = SagaMachine(definition: definition)
        let work: SagaWork
        let begun: SagaInstance
        if let alreadyBegun {
            (work, begun) = (alreadyBegun, instance)
        } else {
            guard let due = machine.nextWork(instance, now: clock.now()) else { return nil }
            (work, begun) = (due, try await store.commit(machine.begin(due, on: instance, now: clock.now())))
        }
        let started = ContinuousClock.now
        let performed = await perform(work, of: begun, definition: definition)
        // Shutting down mid-call: the attempt stays "started" and runs again after a restart.
        guard !Task.isCancelled else { return nil }
        let event: SagaEvent
        switch performed {
        case .happened(let happened):
            event = happened
        case .decideInTransaction(let decide):
            do {
                let (stored, decided, next) = try await decideAndCommit(decide, on: begun, machine: machine)
                metrics.recorded(work: work, event: decided, of: stored, definition: definition, elapsed: ContinuousClock.now - started)
                return Stepped(instance: stored, begun: next)
            } catch is StaleSagaWrite {
                // Moved by another writer: the decision was rolled back with the write. An
                // operator's abort (one process): carry on from the instance as it now is.
                // Another instance (a shared store): it moves the saga now.
                guard !store.sharedByInstances else {
                    metrics.resultSuperseded(begun.type)
                    return nil
                }
                return try await store.instance(id: begun.id).map { Stepped(instance: $0, begun: nil) }
            }
        }
        let now = clock.now()
        let (transition, next) = Self.result(
            try machine.apply(event, to: begun, now: now, unitRandom: Double.random(in: 0..<1)), now: now, machine: machine,
            beginningWhatFollows: !Task.isCancelled)
        do {
            let stored = try await store.commit(transition)
            metrics.recorded(work: work, event: event, of: stored, definition: definition, elapsed: ContinuousClock.now - started)
            return Stepped(instance: stored, begun: next)
        } catch is StaleSagaWrite {
            // Moved by another instance (it took the saga over and repeats the step with the
            // same key, or applied an event): this result is not recorded.
            guard !store.sharedByInstances else {
                metrics.resultSuperseded(begun.type)
                logger.notice("saga moved by another instance during a step; leaving the step's result", metadata: ["sagaId": "\(begun.id)"])
                return nil
            }
            return try await recordLate(event, of: work, id: begun.id, machine: machine).map { Stepped(instance: $0, begun: nil) }
        }
    }

    /// Runs `decide` and stores its result in one transaction (with the beginning of the work
    /// it makes due at once, returned too); a decision that throws has its own writes rolled
    /// back and is stored as the action's failure (unless it was abandoned: then nothing is
    /// stored).
    private func decideAndCommit(
        _ decide: Store.Decision, on begun: SagaInstance, machine: SagaMachine
    ) async throws -> (SagaInstance, SagaEvent, SagaWork?) {
        let clock = self.clock
        let next = BegunWork()
        // Read here: the transaction runs on the store's own thread, outside this task.
        let chaining = !Task.isCancelled
        let (stored, outcome) = try await store.commit(deciding: decide) { outcome in
            let now = clock.now()
            let (transition, work) = Self.result(
                try machine.apply(SagaEvent(deciding: outcome), to: begun, now: now, unitRandom: Double.random(in: 0..<1)), now: now,
                machine: machine, beginningWhatFollows: chaining)
            next.work.withLock { $0 = work }
            return transition
        }
        return (stored, SagaEvent(deciding: outcome), next.work.withLock { $0 })
    }

    /// A result to store, with the beginning of the work it makes due at once unless the
    /// worker is being stopped: then that work is begun after the restart, as its first
    /// attempt, instead of being stored as an attempt that no handler call follows.
    private static func result(
        _ transition: SagaTransition, now: Date, machine: SagaMachine, beginningWhatFollows: Bool
    ) -> (transition: SagaTransition, begun: SagaWork?) {
        beginningWhatFollows ? machine.continuing(transition, now: now) : (transition, nil)
    }

    /// Keeps the result of work that finished after another process (an operator's abort; one
    /// process runs the engine on this store) moved the saga: stored on the instance as it now is, retried while it keeps moving.
    private func recordLate(_ event: SagaEvent, of work: SagaWork, id: String, machine: SagaMachine) async throws -> SagaInstance? {
        logger.notice("saga moved by another writer during a step; keeping the step's result", metadata: ["sagaId": "\(id)"])
        while true {
            guard let current = try await store.instance(id: id) else { return nil }
            do {
                return try await store.commit(machine.late(event, of: work, on: current, now: clock.now()))
            } catch is StaleSagaWrite {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }
}

extension SagaEvent {
    /// What a decision's outcome makes of its action.
    init(deciding outcome: Result<StepOutcome, any Error>) {
        switch outcome {
        case .success(let outcome): self = .actionSucceeded(outcome)
        case .failure(let error): self = .actionFailed(StepFailure(describing: error))
        }
    }
}

/// The work a decision's commit began, handed out of the store's transaction.
private final class BegunWork: Sendable {
    let work = Mutex<SagaWork?>(nil)
}

/// `type` names no loaded definition.
package struct UnknownSagaType: Error, CustomStringConvertible {
    package let type: String
    package var description: String { "no saga definition named \"\(type)\" is loaded" }
}

/// No instance has this id.
package struct UnknownSaga: Error, CustomStringConvertible {
    package let id: String
    package var description: String { "no saga with id \"\(id)\"" }
}

/// Unsettled instances need definition versions that were not loaded.
package struct MissingDefinitions: Error, CustomStringConvertible {
    package let keys: [DefinitionKey]
    package var description: String {
        "running sagas use definitions that are not loaded: \(keys.map(\.description).joined(separator: ", ")); keep those files in sagas/ until their instances finish"
    }
}
