import Foundation

/// Where a saga instance is in its life.
public enum SagaStatus: String, Hashable, Sendable, Codable, CaseIterable {
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
    public var isSettled: Bool { self == .completed || self == .compensated || self == .failed }
}

/// The event an instance waits for: its type and the correlation value that names this instance.
public struct AwaitedEvent: Hashable, Sendable, Codable {
    public var event: String
    public var correlation: String

    public init(event: String, correlation: String) {
        self.event = event
        self.correlation = correlation
    }
}

/// The durable state of one saga: everything needed to carry on after a crash.
public struct SagaInstance: Hashable, Sendable {
    public var id: String
    /// The definition's name and the version this instance started with (kept for life).
    public var type: String
    public var definitionVersion: Int
    /// The Kafka key of the flow (the catalog keys scheduling topics by candidateId).
    public var partitionKey: String
    public var status: SagaStatus
    /// The step being run, awaited or compensated.
    public var stepIndex: Int
    /// Attempts started on the current action or compensation.
    public var attempt: Int
    /// The highest step whose action succeeded; -1 before any.
    public var lastSucceededAction: Int
    public var data: SagaData
    public var waitingFor: AwaitedEvent?
    /// When work is next due: now for a ready step, a backoff's end, or a wait's deadline.
    public var wakeAt: Date?
    public var lastError: StepFailure?
    public var createdAt: Date
    public var updatedAt: Date
    /// Optimistic concurrency: every stored write must name the version it read.
    public var version: Int

    public init(
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
