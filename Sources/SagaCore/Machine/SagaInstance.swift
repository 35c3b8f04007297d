package import Foundation

/// Where a saga instance is in its life.
package enum SagaStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Working through its steps (an action is due now or after a backoff).
    case running
    /// Its current step's action is done; an outside event or the deadline is awaited.
    case waiting
    /// Undoing completed steps (and one whose outcome is unknown) in reverse order.
    case compensating
    /// Every step succeeded.
    case completed
    /// A step failed and everything that needed undoing was undone.
    case compensated
    /// A compensation kept failing: an operator must look (`scheduler sagas retry`).
    case failed

    /// No further work will happen without an operator.
    package var isSettled: Bool { self == .completed || self == .compensated || self == .failed }
}

/// The event an instance waits for: its type and the correlation value that names this instance.
package struct AwaitedEvent: Hashable, Sendable, Codable {
    package var event: String
    package var correlation: String

    package init(event: String, correlation: String) {
        self.event = event
        self.correlation = correlation
    }
}

/// The durable state of one saga: everything needed to carry on after a crash.
package struct SagaInstance: Hashable, Sendable {
    package var id: String
    /// The definition's name and the version this instance started with (kept for life).
    package var type: String
    package var definitionVersion: Int
    /// The Kafka key of the flow (the catalog keys scheduling topics by candidateId).
    package var partitionKey: String
    package var status: SagaStatus
    /// The step being run, awaited or compensated.
    package var stepIndex: Int
    /// Attempts started on the current action or compensation.
    package var attempt: Int
    /// The highest step whose action succeeded; -1 before any.
    package var lastSucceededAction: Int
    package var data: SagaData
    package var waitingFor: AwaitedEvent?
    /// When work is next due: now for a ready step, a backoff's end, or a wait's deadline.
    package var wakeAt: Date?
    package var lastError: StepFailure?
    package var createdAt: Date
    package var updatedAt: Date
    /// Optimistic concurrency: every stored write must name the version it read.
    package var version: Int

    /// Whether an operator or the requester stopped it (it is then being, or has been, undone).
    package var wasAborted: Bool { lastError?.kind == .aborted }

    package init(
        id: String, type: String, definitionVersion: Int, partitionKey: String, status: SagaStatus, stepIndex: Int,
        attempt: Int, lastSucceededAction: Int, data: SagaData, waitingFor: AwaitedEvent?, wakeAt: Date?,
        lastError: StepFailure?, createdAt: Date, updatedAt: Date, version: Int
    ) {
        self.id = id
        self.type = type
        self.definitionVersion = definitionVersion
        self.partitionKey = partitionKey
        self.status = status
        self.stepIndex = stepIndex
        self.attempt = attempt
        self.lastSucceededAction = lastSucceededAction
        self.data = data
        self.waitingFor = waitingFor
        self.wakeAt = wakeAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}
