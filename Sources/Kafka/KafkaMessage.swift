/// A consumed message, copied out of librdkafka.
package struct KafkaMessage: Sendable {
    package let topic: String
    package let partition: Int32
    package let offset: Int64
    package let key: [UInt8]?
    package let value: [UInt8]
    /// Header names and values, in order; names may repeat and values may be absent.
    package let headers: [(String, [UInt8]?)]
    /// Milliseconds since the epoch, when the broker knows it.
    package let timestamp: Int64?

    package init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [(String, [UInt8]?)] = [], timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The key as UTF-8 text, when it is.
    package var keyText: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
}
