package import Foundation

/// A message to publish, written to the outbox in the same transaction as the transition
/// that produced it.
package struct OutboxMessage: Hashable, Sendable {
    /// Unique and stable: a retried transition produces the same id.
    package var id: String
    package var topic: String
    package var key: String
    package var headers: [String: String]
    /// The message body, usually JSON.
    package var payload: Data

    package init(id: String, topic: String, key: String, headers: [String: String] = [:], payload: Data) {
        self.id = id
        self.topic = topic
        self.key = key
        self.headers = headers
        self.payload = payload
    }
}

/// What a successful action or a finished wait hands back.
package struct StepOutcome: Hashable, Sendable {
    /// Merged into the saga's data.
    package var dataPatch: SagaData
    package var messages: [OutboxMessage]
    /// For a step that waits: the value that correlates the awaited events with this saga.
    package var awaitCorrelation: String?

    package init(dataPatch: SagaData = [:], messages: [OutboxMessage] = [], awaitCorrelation: String? = nil) {
        self.dataPatch = dataPatch
        self.messages = messages
        self.awaitCorrelation = awaitCorrelation
    }
}

/// What a successful compensation hands back: messages that announce the undo, stored with
/// the transition that records it.
package struct CompensationOutcome: Hashable, Sendable {
    package var messages: [OutboxMessage]

    package init(messages: [OutboxMessage] = []) {
        self.messages = messages
    }
}

/// An event handler's verdict on one arriving event.
package enum EventDecision: Hashable, Sendable {
    /// Fold this into the data and keep waiting (e.g. one of several replies).
    case keepWaiting(SagaData)
    /// The wait is over: go on to the next step.
    case complete(StepOutcome)
    /// The event says the saga cannot go on.
    case fail(StepFailure)
}

/// A deadline handler's verdict when the wait runs out.
package enum DeadlineDecision: Hashable, Sendable {
    case proceed(StepOutcome)
    case fail(StepFailure)
}

/// The work an instance needs next.
package enum SagaWork: Hashable, Sendable {
    case action(step: Int, attempt: Int, idempotencyKey: String)
    case compensation(step: Int, attempt: Int, idempotencyKey: String)
    case deadline(step: Int)
}

/// One line of the append-only step log.
package struct StepLogRecord: Hashable, Sendable {
    package enum Phase: String, Hashable, Sendable, Codable {
        case saga, action, wait, compensation, `operator`
    }

    package enum Outcome: String, Hashable, Sendable, Codable {
        case started, succeeded, failed, retryScheduled, waiting, eventApplied, eventIgnored, deadlinePassed
        case completed, compensating, compensated, needsOperator, aborted, retried
    }

    package var sagaID: String
    package var step: String?
    package var phase: Phase
    package var attempt: Int
    package var outcome: Outcome
    package var at: Date
    package var errorKind: StepFailure.Kind?
    package var message: String?
    /// Who caused it: `engine`, or the operator's name.
    package var actor: String

    package init(
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
package struct SagaTransition: Hashable, Sendable {
    package var instance: SagaInstance
    package var log: [StepLogRecord]
    package var messages: [OutboxMessage]
}

/// A transition the instance's state does not allow (an operator retrying a completed saga).
package struct IllegalTransition: Error, Hashable, Sendable, CustomStringConvertible {
    package var sagaID: String
    package var status: SagaStatus
    package var attempted: String

    package var description: String { "saga \(sagaID) is \(status.rawValue); cannot \(attempted)" }
}
