import Events
import Kafka
import Messaging
import SchedulerTestScopes
import SchedulerTesting
import Testing

@Suite("A consumer paused and resumed", .runsAfterTestWork)
struct KafkaConsumerPauseTests {
    /// A development cluster and a producer, both kept until the test's clients are closed;
    /// the topic the tests use.
    static func clusterWithProducer() async throws -> (topic: String, cluster: DevelopmentCluster, producer: KafkaProducer) {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        return (Topic.schedulingAvailability.rawValue, cluster, producer)
    }

    /// While paused, a message sent meanwhile stays in the topic; once resumed, it comes.
    @Test func aPausedConsumerHandsOutNothingUntilResumed() async throws {
        let (topic, cluster, producer) = try await Self.clusterWithProducer()
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("req-1".utf8), value: Array("m0".utf8)))
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "paused", topics: [topic])
        afterTest { await consumer.close() }
        let first = try #require(await finishing(within: 60) { await consumer.next() } ?? nil)
        #expect(String(decoding: first.value, as: UTF8.self) == "m0")

        try await consumer.setPaused(true)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("req-1".utf8), value: Array("m1".utf8)))
        let waiting = Task { await consumer.next() }
        let whilePaused = try await finishing(within: 2) { await waiting.value }
        #expect(whilePaused == nil, "handed out while paused: \(String(describing: whilePaused))")
        try await consumer.setPaused(false)
        let resumed = try await finishing(within: 30) { await waiting.value } ?? nil
        #expect(resumed.map { String(decoding: $0.value, as: UTF8.self) } == "m1")
    }

    /// A member resumed while a newcomer held half its partitions reads all of them once they
    /// come back (librdkafka keeps a partition's pause across a revocation; the consumer
    /// applies its current setting to what a rebalance assigns).
    @Test func partitionsAwayDuringTheResumeComeBackResumed() async throws {
        let (topic, cluster, producer) = try await Self.clusterWithProducer()
        let keys = JavaPartitioner.keyPerPartition(4)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("key-0".utf8), value: Array("first".utf8)))
        let log = RecordingLogHandler()
        let member = try KafkaConsumer(configuration: cluster.configuration, groupID: "paused-away", topics: [topic], logger: log.logger)
        afterTest { await member.close() }
        let first = try #require(await finishing(within: 60) { await member.next() } ?? nil)
        try member.commit(first)
        #expect(await member.waitForCommits(within: .seconds(30)))
        try await member.setPaused(true)

        // A newcomer takes half the partitions; the member resumes the half it kept.
        let newcomer = try KafkaConsumer(configuration: cluster.configuration, groupID: "paused-away", topics: [topic])
        let newcomerWaiting = Task { await newcomer.next() }
        let waiting = Task { await member.next() }  // polls, so that the member serves the rebalance
        #expect(try await eventually(30) { log.messages.count { $0.contains("partitions assigned") } >= 2 }, "\(log.messages)")
        try await member.setPaused(false)
        // The newcomer leaves; the member gets every partition back.
        await newcomer.close()
        _ = await newcomerWaiting.value
        #expect(try await eventually(60) { log.messages.count { $0.contains("partitions assigned") } >= 3 }, "\(log.messages)")
        for (partition, key) in keys {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array(key.utf8), value: Array("p\(partition)".utf8)))
        }
        var read: Set<String> = []
        if let first = try await finishing(within: 30, { await waiting.value }) ?? nil { read.insert(String(decoding: first.value, as: UTF8.self)) }
        while read.count < 4, let next = try await finishing(within: 30, { await member.next() }) ?? nil {
            read.insert(String(decoding: next.value, as: UTF8.self))
        }
        #expect(read == ["p0", "p1", "p2", "p3"], "every partition's message, the ones that were away included")
    }
}
