package import Foundation
package import SagaCore
package import SagaStore

/// What a handler knows about the step it runs.
package struct StepContext: Sendable {
    package let sagaID: String
    package let sagaType: String
    package let step: String
    package let attempt: Int
    /// Stable across retries and restarts (saga id + step name): pass it to the other side
    /// so that a repeat after a crash is recognised there.
    package let idempotencyKey: String
    package let partitionKey: String
    package let data: SagaData
    /// Why the saga is being undone, in a compensation; the last failed attempt otherwise.
    package let lastError: StepFailure?
    package let now: Date
}

/// The step handlers a service registers under the names its definitions use.
///
/// Handlers report failures by throwing `StepFailure`; any other error counts as transient.
/// `Decision` is the store's (`SagaWorkStore.Decision`): what a transactional action hands
/// back to run in the transaction that stores its outcome.
package struct SagaHandlers<Decision: Sendable>: Sendable {
    package typealias Action = @Sendable (StepContext) async throws -> StepOutcome
    package typealias Compensation = @Sendable (StepContext) async throws -> CompensationOutcome
    package typealias EventHandler = @Sendable (StepContext, JSONValue) async throws -> EventDecision
    package typealias DeadlineHandler = @Sendable (StepContext) async throws -> DeadlineDecision
    /// An action that does its slow work first (calls out, reads) and hands back the decision.
    package typealias DecidingAction = @Sendable (StepContext) async throws -> Decision

    /// How an action is run.
    enum ActionBody: Sendable {
        case direct(Action)
        case decidingInTransaction(DecidingAction)
    }

    private(set) var actions: [String: (requiresCompensation: Bool, run: ActionBody)] = [:]
    private(set) var compensations: [String: Compensation] = [:]
    private(set) var eventHandlers: [String: EventHandler] = [:]
    private(set) var deadlineHandlers: [String: DeadlineHandler] = [:]

    package init() {}

    /// Registers an action. `requiresCompensation`: its effect must be undone when a later
    /// step fails, so no definition may pair it with `compensation: none`.
    package mutating func action(_ name: String, requiresCompensation: Bool, _ run: @escaping Action) {
        actions[name] = (requiresCompensation, .direct(run))
    }

    /// Registers an action whose decision commits with the saga's new state: `run` does what
    /// must happen outside a transaction and returns a `Decision`, which the engine runs in
    /// the transaction that stores the result. When the decision throws, its writes are rolled
    /// back and the failure is stored as the action's; a crash leaves both or neither.
    package mutating func transactionalAction(_ name: String, requiresCompensation: Bool, _ run: @escaping DecidingAction) {
        actions[name] = (requiresCompensation, .decidingInTransaction(run))
    }

    /// Registers a compensation. It may run for an action whose outcome is unknown (timed
    /// out, failed transiently, aborted while running), so it must succeed when there is
    /// nothing to undo.
    package mutating func compensation(_ name: String, _ run: @escaping @Sendable (StepContext) async throws -> Void) {
        compensations[name] = { context in
            try await run(context)
            return CompensationOutcome()
        }
    }

    /// Registers a compensation whose messages (an `interview.cancelled`, an `error.occurred`)
    /// are stored in the same transaction as the record that it succeeded.
    package mutating func compensationWithMessages(_ name: String, _ run: @escaping Compensation) {
        compensations[name] = run
    }

    package mutating func onEvent(_ name: String, _ run: @escaping EventHandler) {
        eventHandlers[name] = run
    }

    package mutating func onDeadline(_ name: String, _ run: @escaping DeadlineHandler) {
        deadlineHandlers[name] = run
    }

    /// The registered names, for checking definitions.
    package var inventory: HandlerInventory {
        HandlerInventory(
            actions: actions.mapValues(\.requiresCompensation), compensations: Set(compensations.keys),
            eventHandlers: Set(eventHandlers.keys), deadlineHandlers: Set(deadlineHandlers.keys))
    }
}

/// The handlers of sagas on the SQLite store, whose decisions run on GRDB's `Database`.
package typealias SQLiteSagaHandlers = SagaHandlers<SagaStore.Decision>
