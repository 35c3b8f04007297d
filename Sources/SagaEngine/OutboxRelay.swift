import Foundation
import Logging
import SagaCore
import SagaStore

/// Where the relay sends outbox messages: Kafka in production, a recorder in tests.
public protocol OutboxPublisher: Sendable {
    /// Returns once the destination has confirmed the message; throws if it did not.
    func publish(_ message: OutboxMessage) async throws
}

/// Moves outbox rows to the publisher in insertion order, marking each published only
/// after the publisher confirmed it. A failure stops the round, so no later message
/// (of any key) overtakes it; the round is retried after a backoff. Nothing is dropped:
/// the outbox is the buffer.
public final class OutboxRelay: Sendable {
    let store: SagaStore
    let publisher: any OutboxPublisher
    let clock: any SagaClock
    let batchSize: Int
    let retryBackoff: Duration
    let idleInterval: Duration
    let logger: Logger

    public init(
        store: SagaStore, publisher: any OutboxPublisher, clock: any SagaClock = SystemSagaClock(), batchSize: Int = 100,
        retryBackoff: Duration = .seconds(1), idleInterval: Duration = .milliseconds(100), logger: Logger = Logger(label: "outbox-relay")
    ) {
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.batchSize = batchSize
        self.retryBackoff = retryBackoff
        self.idleInterval = idleInterval
        self.logger = logger
    }

    /// Publishes until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                let published = try await publishPending()
                if published == 0 { try await Task.sleep(for: idleInterval) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("outbox delivery failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: retryBackoff)
            }
        }
    }

    /// Publishes one batch of pending messages in order; returns how many went out.
    /// Throws the first publishing error, after recording it on its row.
    @discardableResult
    public func publishPending() async throws -> Int {
        var published: [String] = []
        for row in try await store.pendingOutbox(limit: batchSize) {
            do {
                try await publisher.publish(row.message)
            } catch {
                try await store.markPublished(ids: published, at: clock.now())
                try await store.markPublishFailed(id: row.message.id, error: String(describing: error))
                throw error
            }
            published.append(row.message.id)
        }
        try await store.markPublished(ids: published, at: clock.now())
        return published.count
    }
}
