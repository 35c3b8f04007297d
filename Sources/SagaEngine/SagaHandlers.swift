import Foundation
import SagaCore

/// What a handler knows about the step it runs.
public struct StepContext: Sendable {
    public let sagaID: String
    public let sagaType: String
    public let step: String
    public let attempt: Int
    /// Stable across retries and restarts (saga id + step name): pass it to the other side
    /// so that a repeat after a crash is recognised there.
    public let idempotencyKey: String
    public let partitionKey: String
    public let data: SagaData
    public let now: Date
}

/// The step handlers a service registers under the names its definitions use.
///
/// Handlers report failures by throwing `StepFailure`; any other error counts as transient.
public struct SagaHandlers: Sendable {
    public typealias Action = @Sendable (StepContext) async throws -> StepOutcome
    public typealias Compensation = @Sendable (StepContext) async throws -> Void
    public typealias EventHandler = @Sendable (StepContext, JSONValue) async throws -> EventDecision
    public typealias DeadlineHandler = @Sendable (StepContext) async throws -> DeadlineDecision

    private(set) var actions: [String: (requiresCompensation: Bool, run: Action)] = [:]
    private(set) var compensations: [String: Compensation] = [:]
    private(set) var eventHandlers: [String: EventHandler] = [:]
    private(set) var deadlineHandlers: [String: DeadlineHandler] = [:]

    public init() {}

    /// Registers an action. `requiresCompensation`: its effect must be undone when a later
    /// step fails, so no definition may pair it with `compensation: none`.
    public mutating func action(_ name: String, requiresCompensation: Bool, _ run: @escaping Action) {
        actions[name] = (requiresCompensation, run)
    }

    /// Registers a compensation. It may run for an action whose outcome is unknown (timed
    /// out, failed transiently, aborted while running), so it must succeed when there is
    /// nothing to undo.
    public mutating func compensation(_ name: String, _ run: @escaping Compensation) {
        compensations[name] = run
    }

    public mutating func onEvent(_ name: String, _ run: @escaping EventHandler) {
        eventHandlers[name] = run
    }

    public mutating func onDeadline(_ name: String, _ run: @escaping DeadlineHandler) {
        deadlineHandlers[name] = run
    }

    /// The registered names, for checking definitions.
    public var inventory: HandlerInventory {
        HandlerInventory(
            actions: actions.mapValues(\.requiresCompensation), compensations: Set(compensations.keys),
            eventHandlers: Set(eventHandlers.keys), deadlineHandlers: Set(deadlineHandlers.keys))
    }
}
