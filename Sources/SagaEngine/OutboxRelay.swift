import Foundation
package import Logging
package import SagaCore

/// Where the relay sends outbox messages: Kafka in production, a recorder in tests.
package protocol OutboxPublisher: Sendable {
    /// Returns once the destination has confirmed the message; throws if it did not.
    func publish(_ message: OutboxMessage) async throws

    /// Sends a batch, in order, and reports each message's fate in the same order. A
    /// destination that can have many messages in flight (Kafka) overrides this.
    func publish(_ batch: [OutboxMessage]) async -> [Result<Void, any Error>]
}

extension OutboxPublisher {
    /// One message at a time, stopping at the first failure.
    package func publish(_ batch: [OutboxMessage]) async -> [Result<Void, any Error>] {
        var results: [Result<Void, any Error>] = []
        for message in batch {
            do {
                try await publish(message)
                results.append(.success(()))
            } catch {
                results.append(.failure(error))
                break
            }
        }
        return results + Array(repeating: .failure(CancellationError()), count: batch.count - results.count)
    }
}

/// Moves outbox rows to the publisher in insertion order, marking each published only
/// after the publisher confirmed it. After a failed message, later messages with the same
/// key stay pending even if they were confirmed, so they are sent again after it and the
/// order per key holds (at least once; consumers drop repeats by event id). Nothing is
/// dropped: the outbox is the buffer.
package final class OutboxRelay: Sendable {
    let store: any OutboxStore
    let publisher: any OutboxPublisher
    let clock: any WallClock
    let batchSize: Int
    let retryBackoff: Duration
    /// The longest the relay sleeps with nothing to publish; on SQLite, a commit that writes
    /// to the outbox wakes it at once (`OutboxStore.waitForMessages`).
    let idleInterval: Duration
    let logger: Logger

    package init(
        store: any OutboxStore, publisher: any OutboxPublisher, clock: any WallClock = SystemWallClock(), batchSize: Int = 100,
        retryBackoff: Duration = .seconds(1), idleInterval: Duration = .seconds(1), logger: Logger = Logger(label: "outbox-relay")
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
    package func run() async {
        while !Task.isCancelled {
            do {
                let published = try await publishPending()
                if published == 0 { await store.waitForMessages(timeout: idleInterval) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("outbox delivery failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: retryBackoff)
            }
        }
    }

    /// Publishes one batch of pending messages; returns how many were confirmed.
    /// Throws the first publishing error, after recording it on its row.
    @discardableResult
    package func publishPending() async throws -> Int {
        let pending = try await store.pendingMessages(limit: batchSize)
        guard !pending.isEmpty else { return 0 }
        let results = await publisher.publish(pending)
        var published: [String] = []
        var blockedKeys = Set<String>()
        var firstError: (any Error)?
        for (message, result) in zip(pending, results) {
            if blockedKeys.contains("\(message.topic)|\(message.key)") { continue }
            switch result {
            case .success:
                published.append(message.id)
            case .failure(let error):
                blockedKeys.insert("\(message.topic)|\(message.key)")
                if firstError == nil {
                    firstError = error
                    try await store.markPublishFailed(id: message.id, error: String(describing: error))
                }
            }
        }
        try await store.markPublished(ids: published, at: clock.now())
        if let firstError { throw firstError }
        return published.count
    }
}
