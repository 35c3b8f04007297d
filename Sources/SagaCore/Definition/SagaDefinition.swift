/// A saga type: a name, a version, and the ordered steps every instance goes through.
public struct SagaDefinition: Hashable, Sendable {
    public var name: String
    public var version: Int
    public var description: String
    public var steps: [StepDefinition]
    /// An instance that has not moved for longer than this is reported as stuck.
    public var stuckAfter: Duration

    public init(name: String, version: Int, description: String = "", steps: [StepDefinition], stuckAfter: Duration) {
        self.name = name
        self.version = version
        self.description = description
        self.steps = steps
        self.stuckAfter = stuckAfter
    }
}

/// One step: an action, how to undo it, how to retry it, and whether it then waits for an
/// event from outside.
public struct StepDefinition: Hashable, Sendable {
    public var name: String
    /// The registered action handler.
    public var action: String
    /// The registered compensation handler; nil when the step changes nothing that needs undoing.
    public var compensation: String?
    public var retry: RetryPolicy
    /// Retries of the compensation; defaults to the action's policy.
    public var compensationRetry: RetryPolicy
    /// How long one attempt of the action or compensation may take.
    public var timeout: Duration
    /// When present, the step completes only once the awaited event has arrived.
    public var wait: WaitDefinition?

    public init(
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
public struct WaitDefinition: Hashable, Sendable {
    /// The event type, e.g. `scheduling.availability`.
    public var event: String
    /// The event field that carries the correlation value, e.g. `requestId` (for the docs
    /// and the diagram; the value itself comes from the action's outcome).
    public var correlation: String
    /// The registered handler that folds each matching event into the saga's data and
    /// decides whether the wait is over.
    public var onEvent: String
    public var deadline: Duration
    /// The registered handler that decides, at the deadline, whether to go on with what
    /// has arrived; nil means the saga fails at the deadline.
    public var onDeadline: String?

    public init(event: String, correlation: String, onEvent: String, deadline: Duration, onDeadline: String? = nil) {
        self.event = event
        self.correlation = correlation
        self.onEvent = onEvent
        self.deadline = deadline
        self.onDeadline = onDeadline
    }
}
