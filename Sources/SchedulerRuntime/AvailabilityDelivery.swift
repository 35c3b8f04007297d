import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine

/// The service's handler for `scheduling.availability`: checked strictly (unknown members
/// ignored), then handed to the saga waiting for its `requestId`.
enum AvailabilityDelivery {
    static func handler(decoder: InboundEventDecoder, engine: SagaEngine) -> InboundPipeline.Handler {
        { message in
            let envelope = try decoder.availability(message.value)
            let payload = try JSONValue.encoding(envelope.data)
            _ = try await engine.deliver(
                InboundEvent(
                    messageID: envelope.eventId, topic: message.topic, type: envelope.eventType, correlation: envelope.data.requestId,
                    payload: payload))
        }
    }
}
