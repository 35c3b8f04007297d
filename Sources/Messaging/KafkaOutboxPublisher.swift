package import Kafka
package import SagaCore
import SagaEngine

/// Publishes outbox messages with the idempotent producer; a batch is in flight at once and
/// each message counts as published only when its delivery report says the broker has it.
package struct KafkaOutboxPublisher: OutboxPublisher {
    let producer: KafkaProducer

    package init(producer: KafkaProducer) {
        self.producer = producer
    }

    package func publish(_ message: OutboxMessage) async throws {
        _ = try await producer.send(Self.kafkaMessage(message))
    }

    package func publish(_ batch: [OutboxMessage]) async -> [Result<Void, any Error>] {
        await producer.send(batch.map(Self.kafkaMessage)).map { $0.map { _ in () } }
    }

    static func kafkaMessage(_ message: OutboxMessage) -> KafkaProducerMessage {
        KafkaProducerMessage(
            topic: message.topic, key: Array(message.key.utf8), value: Array(message.payload),
            headers: message.headers.sorted { $0.key < $1.key }.map { ($0.key, Array($0.value.utf8)) })
    }
}
