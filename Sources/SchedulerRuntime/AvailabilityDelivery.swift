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
            let (envelope, document) = try decoder.availabilityDocument(message.value)
            // The message as sent, when the value parser read it (it refuses numbers beyond a
            // Double even in fields the service ignores); else the checked data written anew.
            let payload = try document?["data"] ?? JSONValue.encoding(envelope.data)
            return InboundEvent(
                messageID: envelope.eventId, topic: message.topic, type: envelope.eventType, correlation: envelope.data.requestId, payload: payload)
        }
    }
}
