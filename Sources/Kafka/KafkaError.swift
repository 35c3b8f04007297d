import CRdKafka

/// An error from librdkafka or from this wrapper, with librdkafka's code and name when it has one.
package struct KafkaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value; 0 for errors raised by the wrapper itself.
    package let code: Int32
    /// librdkafka's symbolic name, e.g. `_MSG_TIMED_OUT`, `_QUEUE_FULL`.
    package let name: String
    package let message: String

    package init(code: Int32, name: String, message: String) {
        self.code = code
        self.name = name
        self.message = message
    }

    init(_ error: rd_kafka_resp_err_t, context: String? = nil) {
        code = error.rawValue
        name = String(cString: rd_kafka_err2name(error))
        let text = String(cString: rd_kafka_err2str(error))
        message = context.map { "\($0): \(text)" } ?? text
    }

    /// Takes over and frees an `rd_kafka_error_t`.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        code = rd_kafka_error_code(error).rawValue
        name = String(cString: rd_kafka_error_name(error))
        message = String(cString: rd_kafka_error_string(error))
    }

    static func configuration(_ message: String) -> KafkaError {
        KafkaError(code: 0, name: "CONFIGURATION", message: message)
    }

    static func closed(_ what: String) -> KafkaError {
        KafkaError(code: 0, name: "CLOSED", message: "\(what) is closed")
    }

    package var description: String { "\(name): \(message)" }

    /// The queue of messages waiting for the broker is full: poll and try again.
    var isQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue }

    /// Raised by the wrapper for a client that was shut down.
    var isClosed: Bool { code == 0 && name == "CLOSED" }
}
