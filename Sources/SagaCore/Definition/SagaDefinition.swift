/// A saga type: a name, a version, and the ordered steps every instance goes through.
package struct SagaDefinition: Hashable, Sendable {
    package var name: String
    package var version: Int
    package var description: String
    package var steps: [StepDefinition]
    /// An instance that has not moved for longer than this is reported as stuck.
    package var stuckAfter: Duration

    package init(name: String, version: Int, description: String = "", steps: [StepDefinition], stuckAfter: Duration) {
        self.name = name
        self.version = version
        self.description = description
        self.steps = steps
        self.stuckAfter = stuckAfter
    }
}

/// One step: an action, how to undo it, how to retry it, and whether it then waits for an
/// event from outside.
package struct StepDefinition: Hashable, Sendable {
    package var name: String
    /// The registered action handler.
    package var action: String
    /// The registered compensation handler; nil when the step changes nothing that needs undoing.
    package var compensation: String?
    package var retry: RetryPolicy
    /// Retries of the compensation; defaults to the action's policy.
    package var compensationRetry: RetryPolicy
    /// How long one attempt of the action or compensation may take.
    package var timeout: Duration
    /// When present, the step completes only once the awaited event has arrived.
    package var wait: WaitDefinition?

    package init(
        name: String, action: String, compensation: String?, retry: RetryPolicy, compensationRetry: RetryPolicy? = nil,
        timeout: Duration, wait: WaitDefinition? = nil
    ) {
        self.name = name
        self.action = action
        self.compensation = compensation
        self.retry = retry
        self.compensationRetry = compensationRetry ?? retry
        self.timeout = timeout
        self.wait = wait
    }
}

/// What a step waits for after its action: an event type, matched to the instance by a
/// correlation value the action chose, until a deadline.
package struct WaitDefinition: Hashable, Sendable {
    /// The event type, e.g. `scheduling.availability`.
    package var event: String
    /// The event field that carries the correlation value, e.g. `requestId` (for the docs
    /// and the diagram; the value itself comes from the action's outcome).
    package var correlation: String
    /// The registered handler that folds each matching event into the saga's data and
    /// decides whether the wait is over.
    package var onEvent: String
    package var deadline: Duration
    /// The registered handler that decides, at the deadline, whether to go on with what
    /// has arrived; nil means the saga fails at the deadline.
    package var onDeadline: String?

    package init(event: String, correlation: String, onEvent: String, deadline: Duration, onDeadline: String? = nil) {
        self.event = event
        self.correlation = correlation
        self.onEvent = onEvent
        self.deadline = deadline
        self.onDeadline = onDeadline
    }
}
