import Events
import Foundation
import Kafka
import Logging
import Metrics
import SagaCore
import SagaEngine
import SagaStore

/// Feeds consumed messages to a handler, one at a time, and commits each offset only after
/// the message's effect is durable.
///
/// A handler throws `EventRejection` for input that can never be handled; the message then
/// goes to the DLQ at once. Any other error counts as transient and is retried with backoff;
/// when the retries are spent, the message goes to the DLQ too. A DLQ record and an
/// `error.occurred` event are written to the outbox in one transaction with an inbox row, so
/// a redelivered message is not dead-lettered twice. Consumption always moves on.
public struct InboundPipeline: Sendable {
    public typealias Handler = @Sendable (KafkaMessage) async throws -> Void

    let consumer: KafkaConsumer
    let store: SagaStore
    let handler: Handler
    let retry: RetryPolicy
    let clock: any SagaClock
    let logger: Logger

    public init(
        consumer: KafkaConsumer, store: SagaStore, retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .seconds(5)),
        clock: any SagaClock = SystemSagaClock(), logger: Logger = Logger(label: "inbound"), handler: @escaping Handler
    ) {
        self.consumer = consumer
        self.store = store
        self.retry = retry
        self.clock = clock
        self.logger = logger
        self.handler = handler
    }

    /// Handles messages until the consumer is closed.
    public func run() async {
        while let message = await consumer.next() {
            await handle(message)
        }
    }

    /// Handles one message completely: effect or DLQ, then the offset.
    public func handle(_ message: KafkaMessage) async {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await handler(message)
                break
            } catch let rejection as EventRejection {
                await deadLetter(message, rejection, retryCount: attempt - 1)
                break
            } catch {
                guard attempt < retry.maxAttempts, !Task.isCancelled else {
                    await deadLetter(message, EventRejection(.processingFailed, "failed \(attempt) times; last error: \(error)"), retryCount: attempt - 1)
                    break
                }
                logger.warning("handling failed; retrying", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)"])
                try? await Task.sleep(for: retry.backoff(afterAttempt: attempt, unitRandom: Double.random(in: 0..<1)))
            }
        }
        do {
            try consumer.commit(message)
        } catch {
            // The effect is durable; a redelivery will be recognised by the inbox.
            logger.warning("offset commit failed", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)"])
        }
    }

    /// Writes the DLQ record and the error event; keeps trying while the database refuses,
    /// because the offset must not move before they are stored.
    private func deadLetter(_ message: KafkaMessage, _ rejection: EventRejection, retryCount: Int) async {
        let origin = "\(message.topic):\(message.partition):\(message.offset)"
        Counter(label: "interview_dlq_messages_total", dimensions: [("topic", message.topic), ("code", rejection.code.rawValue)]).increment()
        logger.error("message sent to the DLQ", metadata: ["origin": "\(origin)", "reason": "\(rejection)"])
        while true {
            do {
                let now = clock.now()
                let record = DeadLetterRecord(
                    original: message.value, key: message.key, rejection: rejection, retryCount: retryCount,
                    topic: message.topic, partition: message.partition, offset: message.offset, at: now)
                let error = EventEnvelope(
                    eventId: "error:\(origin)", eventType: ErrorOccurred.eventType, timestamp: now,
                    data: ErrorOccurred(
                        errorId: "dlq:\(origin)", component: "scheduling", severity: "medium",
                        error: .init(code: rejection.code.rawValue, message: rejection.description, context: [
                            "topic": message.topic, "partition": "\(message.partition)", "offset": "\(message.offset)",
                        ]),
                        affectedEntities: .init()))
                _ = try await store.deadLetter(
                    messageID: "kafka:\(origin)", topic: message.topic, at: now, reason: rejection.code.rawValue,
                    messages: [
                        OutboxMessage(id: "dlq:\(origin)", topic: Topic.deadLetter.rawValue, key: message.keyText ?? origin, payload: try record.encoded()),
                        OutboxMessage(id: error.eventId, topic: Topic.errorOccurred.rawValue, key: error.data.errorId, payload: try error.encoded()),
                    ])
                return
            } catch {
                logger.error("cannot store the DLQ record; retrying", metadata: ["origin": "\(origin)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
