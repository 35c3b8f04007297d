import Foundation
package import SagaCore
import SchedulingCore

/// Checks an inbound message strictly for the fields the service needs, and accepts and
/// ignores everything else (unknown fields, `metadata`). Never crashes on any input.
package struct InboundEventDecoder: Sendable {
    /// Messages larger than this are refused before parsing.
    package var maximumSize: Int

    package init(maximumSize: Int = 1_048_576) {
        self.maximumSize = maximumSize
    }

    /// Decodes the envelope and its `data` as `Payload`, checking that `eventType` is
    /// `expectedType` and that every timestamp is RFC 3339.
    package func decode<Payload: Codable & Sendable>(
        _ bytes: [UInt8], as: Payload.Type, expectedType: String
    ) throws(EventRejection) -> EventEnvelope<Payload> {
        try decodeDocument(bytes, as: Payload.self, expectedType: expectedType).envelope
    }

    /// As `decode`, with the whole message as parsed on the way (nil when the value parser
    /// refused it and JSONDecoder read it instead), so that a caller needing it does not parse
    /// it again.
    package func decodeDocument<Payload: Codable & Sendable>(
        _ bytes: [UInt8], as: Payload.Type, expectedType: String
    ) throws(EventRejection) -> (envelope: EventEnvelope<Payload>, document: JSONValue?) {
        guard bytes.count <= maximumSize else {
            throw EventRejection(.payloadTooLarge, "\(bytes.count) bytes; at most \(maximumSize) are accepted")
        }
        // Well-formed messages, the usual case, are parsed once; anything else is examined
        // step by step below, for an error that names what is wrong.
        // Parsed into a value once, then read from it. A document the value parser accepts is
        // valid UTF-8 (every byte outside its strings is ASCII, and it checks each string), so
        // only a message it refuses is checked for that first. It refuses numbers beyond a
        // Double even in members the service ignores, which JSONDecoder reads past, so such a
        // message is read by JSONDecoder instead (without a document); what both refuse is
        // left to the careful path, which names the problem.
        let document = try? JSONValue(parsing: bytes)
        if document == nil, String(validating: bytes, as: UTF8.self) == nil {
            throw EventRejection(.invalidEncoding, "the payload is not valid UTF-8")
        }
        let read = document.flatMap { try? JSONValueDecoder().decode(EventEnvelope<Payload>.self, from: $0) }
        if let envelope = read ?? (try? JSONDecoder().decode(EventEnvelope<Payload>.self, from: Data(bytes))) {
            guard envelope.eventType == expectedType else {
                throw EventRejection(.unexpectedEventType, field: "eventType", "\"\(envelope.eventType)\" where \"\(expectedType)\" was expected")
            }
            return (try Self.checked(envelope), document)
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw EventRejection(.malformedJSON, "the payload is JSON but not an object")
            }
            object = parsed
        } catch let rejection as EventRejection {
            throw rejection
        } catch {
            throw EventRejection(.malformedJSON, "the payload is not JSON (\(error.localizedDescription))")
        }
        guard let eventType = object["eventType"] as? String else {
            throw EventRejection(.schemaViolation, field: "eventType", "is required and must be a string")
        }
        guard eventType == expectedType else {
            throw EventRejection(.unexpectedEventType, field: "eventType", "\"\(eventType)\" where \"\(expectedType)\" was expected")
        }
        let envelope: EventEnvelope<Payload>
        do {
            envelope = try JSONDecoder().decode(EventEnvelope<Payload>.self, from: Data(bytes))
        } catch let error as DecodingError {
            let problem = ValidationError(error)
            throw EventRejection(.schemaViolation, field: problem.field.isEmpty ? nil : problem.field, problem.reason)
        } catch {
            throw EventRejection(.schemaViolation, "\(error)")
        }
        return (try Self.checked(envelope), nil)
    }

    /// What the envelope's types do not say: a non-empty id, an RFC 3339 timestamp.
    private static func checked<Payload>(_ envelope: EventEnvelope<Payload>) throws(EventRejection) -> EventEnvelope<Payload> {
        guard !envelope.eventId.isEmpty else { throw EventRejection(.schemaViolation, field: "eventId", "must not be empty") }
        try requireTimestamp(envelope.timestamp, field: "timestamp")
        return envelope
    }

    /// Decodes and checks a `scheduling.availability` message.
    package func availability(_ bytes: [UInt8]) throws(EventRejection) -> EventEnvelope<SchedulingAvailability> {
        try availabilityDocument(bytes).envelope
    }

    /// As `availability`, with the message as parsed on the way (see `decodeDocument`).
    package func availabilityDocument(
        _ bytes: [UInt8]
    ) throws(EventRejection) -> (envelope: EventEnvelope<SchedulingAvailability>, document: JSONValue?) {
        let (envelope, document) = try decodeDocument(bytes, as: SchedulingAvailability.self, expectedType: SchedulingAvailability.eventType)
        let data = envelope.data
        guard !data.requestId.isEmpty else { throw EventRejection(.schemaViolation, field: "data.requestId", "must not be empty") }
        for (index, window) in data.availability.enumerated() {
            try Self.requireSpan(window.start, window.end, field: "data.availability[\(index)]")
        }
        for (index, conflict) in data.conflicts.enumerated() {
            try Self.requireSpan(conflict.start, conflict.end, field: "data.conflicts[\(index)]")
        }
        return (envelope, document)
    }

    /// Decodes and checks a `scheduling.requested` message.
    package func schedulingRequest(_ bytes: [UInt8]) throws(EventRejection) -> EventEnvelope<SchedulingRequested> {
        let envelope = try decode(bytes, as: SchedulingRequested.self, expectedType: SchedulingRequested.eventType)
        let data = envelope.data
        guard !data.requestId.isEmpty else { throw EventRejection(.schemaViolation, field: "data.requestId", "must not be empty") }
        guard !data.interviewers.isEmpty else {
            throw EventRejection(.schemaViolation, field: "data.interviewers", "must name at least one interviewer")
        }
        guard data.duration > 0 else { throw EventRejection(.invalidValue, field: "data.duration", "must be positive, got \(data.duration)") }
        guard IANATimeZone.named(data.timezone) != nil else {
            throw EventRejection(.invalidValue, field: "data.timezone", "unknown time zone \"\(data.timezone)\"")
        }
        for (index, span) in data.preferredTimes.enumerated() {
            try Self.requireSpan(span.start, span.end, field: "data.preferredTimes[\(index)]")
        }
        return envelope
    }

    private static func requireTimestamp(_ text: String, field: String) throws(EventRejection) {
        guard ISO8601.instant(text) != nil else {
            throw EventRejection(.invalidValue, field: field, "expected an RFC 3339 timestamp with Z or an offset, got \"\(text.prefix(64))\"")
        }
    }

    private static func requireSpan(_ start: String, _ end: String, field: String) throws(EventRejection) {
        guard let from = ISO8601.instant(start) else {
            throw EventRejection(.invalidValue, field: "\(field).start", "expected an RFC 3339 timestamp, got \"\(start.prefix(64))\"")
        }
        guard let to = ISO8601.instant(end) else {
            throw EventRejection(.invalidValue, field: "\(field).end", "expected an RFC 3339 timestamp, got \"\(end.prefix(64))\"")
        }
        guard from < to else { throw EventRejection(.invalidValue, field: "\(field).end", "\(end) is not after start \(start)") }
    }
}
