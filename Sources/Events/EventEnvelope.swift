package import Foundation
package import SchedulingCore

/// The optional block the event catalog adds to every envelope.
package struct EventMetadata: Codable, Hashable, Sendable {
    package var correlationId: String?
    package var causationId: String?
    /// Required whenever `metadata` is present (the event catalog).
    package var service: String
    package var version: String

    package init(correlationId: String? = nil, causationId: String? = nil, service: String = "interview-scheduler", version: String = "1.0") {
        self.correlationId = correlationId
        self.causationId = causationId
        self.service = service
        self.version = version
    }
}

/// Every event's outer shape: `eventId`, `eventType`, `timestamp`, `data`, and the optional
/// `metadata`. Unknown fields are ignored when reading (consumers are forward compatible).
package struct EventEnvelope<Payload: Codable & Sendable>: Codable, Sendable {
    /// A plain, non-empty string: other producers need not use UUIDs.
    package var eventId: String
    package var eventType: String
    /// RFC 3339, e.g. `2026-03-09T14:00:00.000Z`.
    package var timestamp: String
    package var data: Payload
    package var metadata: EventMetadata?

    package init(eventId: String, eventType: String, timestamp: Date, data: Payload, metadata: EventMetadata? = EventMetadata()) {
        self.eventId = eventId
        self.eventType = eventType
        self.timestamp = EventTimestamp.format(timestamp)
        self.data = data
        self.metadata = metadata
    }

    /// Compact JSON with sorted keys.
    package func encoded() throws -> Data {
        try EventJSON.encoder.encode(self)
    }
}

enum EventJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// Timestamps on the wire.
package enum EventTimestamp {
    /// `2026-03-09T14:00:00.123Z`.
    package static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `2026-03-09T14:00:00Z` for whole-second instants.
    package static func format(_ instant: Instant) -> String {
        instant.description
    }

    /// Parses an RFC 3339 timestamp with `Z` or an offset.
    package static func instant(_ text: String) -> Instant? {
        ISO8601.instant(text)
    }
}
