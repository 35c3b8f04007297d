/// Why an inbound message cannot be used: a stable code for the DLQ record and metrics,
/// the offending field when there is one, and a sentence naming the value.
package struct EventRejection: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Code: String, Hashable, Sendable, Codable {
        case payloadTooLarge = "PAYLOAD_TOO_LARGE"
        case invalidEncoding = "INVALID_UTF8"
        case malformedJSON = "MALFORMED_JSON"
        case unexpectedEventType = "UNEXPECTED_EVENT_TYPE"
        case schemaViolation = "SCHEMA_VIOLATION"
        case invalidValue = "INVALID_VALUE"
        /// Handling failed for a reason worth retrying, and kept failing.
        case processingFailed = "PROCESSING_FAILED"
    }

    package var code: Code
    package var field: String?
    package var message: String

    package init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    package var description: String { field.map { "\($0): \(message)" } ?? message }
}
