/// A consumed message, copied out of librdkafka.
public struct KafkaMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    /// Header names and values, in order; names may repeat and values may be absent.
    public let headers: [(String, [UInt8]?)]
    /// Milliseconds since the epoch, when the broker knows it.
    public let timestamp: Int64?

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [(String, [UInt8]?)] = [], timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The key as UTF-8 text, when it is.
    public var keyText: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
}
