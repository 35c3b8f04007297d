/// The broker's confirmation of one produced message.
package struct KafkaDeliveryReport: Hashable, Sendable {
    package let topic: String
    package let partition: Int32
    /// The message's offset; -1001 when librdkafka does not know it (retried idempotent sends).
    package let offset: Int64
}

/// A message to produce.
package struct KafkaProducerMessage: Hashable, Sendable {
    package var topic: String
    package var key: [UInt8]?
    package var value: [UInt8]
    /// Header names and values, in order (names may repeat).
    package var headers: [(String, [UInt8])]

    package init(topic: String, key: [UInt8]?, value: [UInt8], headers: [(String, [UInt8])] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.topic == rhs.topic && lhs.key == rhs.key && lhs.value == rhs.value
            && lhs.headers.map(\.0) == rhs.headers.map(\.0) && lhs.headers.map(\.1) == rhs.headers.map(\.1)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(key)
        hasher.combine(value)
    }
}
