import Foundation

/// A message to publish, written to the outbox in the same transaction as the transition
/// that produced it.
public struct OutboxMessage: Hashable, Sendable {
    /// Unique and stable: a retried transition produces the same id.
    public var id: String
    public var topic: String
    public var key: String
    public var headers: [String: String]
    /// The message body, usually JSON.
    public var payload: Data

    public init(id: String, topic: String, key: String, headers: [String: String] = [:], payload: Data) {
        self.id = id
        self.topic = topic
        self.key = key
        self.headers = headers
        self.payload = payload
    }
}

/// What a successful action or a finished wait hands back.
public struct StepOutcome: Hashable, Sendable {
    /// Merged into the saga's data.
    public var dataPatch: SagaData
    public var messages: [OutboxMessage]
    /// For a step that waits: the value that correlates the awaited events with this saga.
    public var awaitCorrelation: String?

    public init(dataPatch: SagaData = [:], messages: [OutboxMessage] = [], awaitCorrelation: String? = nil) {
        self.dataPatch = dataPatch
        self.messages = messages
        self.awaitCorrelation = awaitCorrelation
    }
}

/// An event handler's verdict on one arriving event.
public enum EventDecision: Hashable, Sendable {
    /// Fold this into the data and keep waiting (e.g. one of several replies).
    case keepWaiting(SagaData)
    /// The wait is over: go on to the next step.
    case complete(StepOutcome)
    /// The event says the saga cannot go on.
    case fail(StepFailure)
}

/// A deadline handler's verdict when the wait runs out.
public enum DeadlineDecision: Hashable, Sendable {
    case proceed(StepOutcome)
    case fail(StepFailure)
}

/// The work an instance needs next.
public enum SagaWork: Hashable, Sendable {
    case action(step: Int, attempt: Int, idempotencyKey: String)
    case compensation(step: Int, attempt: Int, idempotencyKey: String)
    case deadline(step: Int)
}

/// One line of the append-only step log.
public struct StepLogRecord: Hashable, Sendable {
    public enum Phase: String, Hashable, Sendable, Codable {
        case saga, action, wait, compensation, `operator`
    }

    public enum Outcome: String, Hashable, Sendable, Codable {
        case started, succeeded, failed, retryScheduled, waiting, eventApplied, eventIgnored, deadlinePassed
        case completed, compensating, compensated, needsOperator, aborted, retried
    }

    public var sagaID: String
    public var step: String?
    public var phase: Phase
    public var attempt: Int
    public var outcome: Outcome
    public var at: Date
    public var errorKind: StepFailure.Kind?
    public var message: String?
    /// Who caused it: `engine`, or the operator's name.
    public var actor: String

    public init(
        sagaID: String, step: String?, phase: Phase, attempt: Int = 0, outcome: Outcome, at: Date,
        errorKind: StepFailure.Kind? = nil, message: String? = nil, actor: String = "engine"
    ) {
        self.sagaID = sagaID
        self.step = step
        self.phase = phase
        self.attempt = attempt
        self.outcome = outcome
        self.at = at
        self.errorKind = errorKind
        self.message = message
        self.actor = actor
    }
}

/// The result of a decision: the instance as it must now be stored, and what to store with it.
public struct SagaTransition: Hashable, Sendable {
    public var instance: SagaInstance
    public var log: [StepLogRecord]
    public var messages: [OutboxMessage]
}

/// A transition the instance's state does not allow (an operator retrying a completed saga).
public struct IllegalTransition: Error, Hashable, Sendable, CustomStringConvertible {
    public var sagaID: String
    public var status: SagaStatus
    public var attempted: String

    public var description: String { "saga \(sagaID) is \(status.rawValue); cannot \(attempted)" }
}
