package import Foundation

/// What an operator reads of the sagas in a store, whichever the backend: the instances,
/// one saga's step log and the messages it produced. The stuck-saga watchdog and
/// `scheduler sagas` read through it.
package protocol SagaInspection: Sendable {
    /// Instances, newest first, optionally only of one status or type.
    func instances(status: SagaStatus?, type: String?, limit: Int) async throws -> [SagaInstance]

    /// The saga's log, oldest first.
    func stepLog(sagaID: String) async throws -> [StepLogRecord]

    /// Every message the saga produced, oldest first.
    func outbox(sagaID: String) async throws -> [StoredOutboxMessage]
}

/// An outbox row: a message and its delivery state.
package struct StoredOutboxMessage: Hashable, Sendable {
    /// Insertion order; the relay publishes in this order, so order per key is kept.
    package var sequence: Int64
    package var message: OutboxMessage
    package var sagaID: String?
    package var createdAt: Date
    package var publishedAt: Date?
    package var attempts: Int
    package var lastError: String?

    package init(
        sequence: Int64, message: OutboxMessage, sagaID: String?, createdAt: Date, publishedAt: Date?, attempts: Int, lastError: String?
    ) {
        self.sequence = sequence
        self.message = message
        self.sagaID = sagaID
        self.createdAt = createdAt
        self.publishedAt = publishedAt
        self.attempts = attempts
        self.lastError = lastError
    }
}
