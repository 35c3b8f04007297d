/// The broker's confirmation of one produced message.
public struct KafkaDeliveryReport: Hashable, Sendable {
    public let topic: String
    public let partition: Int32
    /// The message's offset; -1001 when librdkafka does not know it (retried idempotent sends).
    public let offset: Int64
}

/// A message to produce.
public struct KafkaProducerMessage: Hashable, Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    /// Header names and values, in order (names may repeat).
    public var headers: [(String, [UInt8])]

    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [(String, [UInt8])] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.topic == rhs.topic && lhs.key == rhs.key && lhs.value == rhs.value
            && lhs.headers.map(\.0) == rhs.headers.map(\.0) && lhs.headers.map(\.1) == rhs.headers.map(\.1)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(key)
        hasher.combine(value)
    }
}
