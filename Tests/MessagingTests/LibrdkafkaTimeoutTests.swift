import Testing

@testable import Kafka

@Suite("librdkafka timeouts")
struct LibrdkafkaTimeoutTests {
    @Test func millisecondsKeepSubSecondPartsAndClamp() {
        #expect(Duration.milliseconds(500).librdkafkaMilliseconds == 500, "not truncated to 0 s")
        #expect(Duration.seconds(10).librdkafkaMilliseconds == 10_000)
        #expect(Duration.microseconds(1).librdkafkaMilliseconds == 1, "a positive wait stays positive")
        #expect(Duration.seconds(30 * 86_400).librdkafkaMilliseconds == .max, "past 24.8 days")
        #expect(Duration.seconds(Int64.max).librdkafkaMilliseconds == .max)
        #expect(Duration.seconds(-1).librdkafkaMilliseconds == 0)
        #expect(Duration.zero.librdkafkaMilliseconds == 0)
    }
}
