import Events
import Kafka
import Messaging
import SchedulerTestScopes
import SchedulerTesting
import Testing

@Suite("A consumer paused and resumed", .runsAfterTestWork)
struct KafkaConsumerPauseTests {
    /// While paused, a message sent meanwhile stays in the topic; once resumed, it comes.
    @Test func aPausedConsumerHandsOutNothingUntilResumed() async throws {
        let topic = Topic.schedulingAvailability.rawValue
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("req-1".utf8), value: Array("m0".utf8)))
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "paused", topics: [topic])
        afterTest { await consumer.close() }
        let first = try #require(await finishing(within: 60) { await consumer.next() } ?? nil)
        #expect(String(decoding: first.value, as: UTF8.self) == "m0")

        try consumer.setPaused(true)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("req-1".utf8), value: Array("m1".utf8)))
        let waiting = Task { await consumer.next() }
        let whilePaused = try await finishing(within: 2) { await waiting.value }
        #expect(whilePaused == nil, "handed out while paused: \(String(describing: whilePaused))")
        try consumer.setPaused(false)
        let resumed = try await finishing(within: 30) { await waiting.value } ?? nil
        #expect(resumed.map { String(decoding: $0.value, as: UTF8.self) } == "m1")
    }
}
