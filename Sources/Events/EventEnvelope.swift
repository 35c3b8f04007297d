import Foundation
import SchedulingCore

/// The optional block the event catalog adds to every envelope.
public struct EventMetadata: Codable, Hashable, Sendable {
    public var correlationId: String?
    public var causationId: String?
    /// Required whenever `metadata` is present (the event catalog).
    public var service: String
    public var version: String

    public init(correlationId: String? = nil, causationId: String? = nil, service: String = "interview-scheduler", version: String = "1.0") {
        self.correlationId = correlationId
        self.causationId = causationId
        self.service = service
        self.version = version
    }
}

/// Every event's outer shape: `eventId`, `eventType`, `timestamp`, `data`, and the optional
/// `metadata`. Unknown fields are ignored when reading (consumers are forward compatible).
public struct EventEnvelope<Payload: Codable & Sendable>: Codable, Sendable {
    /// A plain, non-empty string: other producers need not use UUIDs.
    public var eventId: String
    public var eventType: String
    /// RFC 3339, e.g. `2026-03-09T14:00:00.000Z`.
    public var timestamp: String
    public var data: Payload
    public var metadata: EventMetadata?

    public init(eventId: String, eventType: String, timestamp: Date, data: Payload, metadata: EventMetadata? = EventMetadata()) {
        self.eventId = eventId
        self.eventType = eventType
        self.timestamp = EventTimestamp.format(timestamp)
        self.data = data
        self.metadata = metadata
    }

    /// Compact JSON with sorted keys.
    public func encoded() throws -> Data {
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
public enum EventTimestamp {
    /// `2026-03-09T14:00:00.123Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `2026-03-09T14:00:00Z` for whole-second instants.
    public static func format(_ instant: Instant) -> String {
        instant.description
    }

    /// Parses an RFC 3339 timestamp with `Z` or an offset.
    public static func instant(_ text: String) -> Instant? {
        ISO8601.instant(text)
    }
}
