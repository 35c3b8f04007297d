import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine

/// How the service reads `scheduling.availability`: checked strictly (unknown members
/// ignored), it becomes an event for the saga waiting for its `requestId`.
enum AvailabilityDelivery {
    static func decoding(with decoder: InboundEventDecoder) -> SagaEventRoute.Decode {
        { message in
            let envelope = try decoder.availability(message.value)
            return InboundEvent(
                messageID: envelope.eventId, topic: message.topic, type: envelope.eventType, correlation: envelope.data.requestId,
                payload: try JSONValue(parsing: Data(message.value))["data"] ?? [:])
        }
    }
}
