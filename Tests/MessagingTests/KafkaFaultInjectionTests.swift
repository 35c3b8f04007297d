import Events
import Foundation
import Kafka
import Messaging
import SchedulerTestScopes
import SchedulerTesting
import Testing

/// The mock cluster's request errors and leader changes against the real client.
@Suite("Kafka fault injection", .serialized, .runsAfterTestWork)
struct KafkaFaultInjectionTests {
    let topic = Topic.interviewUpdated.rawValue

    @Test func retriableProduceErrorsAreRetriedTransparently() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        // NOT_ENOUGH_REPLICAS (19), twice: the idempotent producer retries without duplicating.
        cluster.mock.failNextRequests(.produce, with: [19, 19])
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("iv-1".utf8), value: Array("retried".utf8)))
        #expect(report.partition == JavaPartitioner.partition(forKey: Array("iv-1".utf8), partitions: 12))
        let read = try await kcat(["-b", cluster.mock.bootstrapServers, "-C", "-t", topic, "-e", "-q", "-f", "%s\\n"])
        #expect(read.standardOutput == "retried\n", "delivered exactly once")
    }

    @Test func consumerErrorsAreLogged() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let log = RecordingLogHandler()
        // Fetches are refused as "not authorised": librdkafka hands that to the consumer.
        cluster.mock.failNextRequests(.fetch, with: Array(repeating: 29, count: 50))
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "errors", topics: [topic], logger: log.logger)
        let waiting = Task { await consumer.next() }
        let logged = try await eventually(30) {
            log.messages.contains { $0.contains("consumer error") && $0.contains("error=TOPIC_AUTHORIZATION_FAILED") }
        }
        await consumer.close()
        #expect(await waiting.value == nil)
        #expect(logged, "\(log.messages)")
    }

    @Test func aPermanentProduceErrorReachesTheCaller() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        cluster.mock.failNextRequests(.produce, with: [29])  // TOPIC_AUTHORIZATION_FAILED
        await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("iv-2".utf8), value: Array("x".utf8)))
        }
    }

    @Test func theProducerFollowsALeaderChange() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        let partition = JavaPartitioner.partition(forKey: Array("iv-3".utf8), partitions: 12)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("iv-3".utf8), value: Array("before".utf8)))
        for broker: Int32 in [1, 2, 3] {
            try cluster.mock.setLeader(topic: topic, partition: partition, broker: broker)
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("iv-3".utf8), value: Array("leader \(broker)".utf8)))
        }
        let read = try await kcat(["-b", cluster.mock.bootstrapServers, "-C", "-t", topic, "-p", "\(partition)", "-e", "-q", "-f", "%s\\n"])
        #expect(read.standardOutput == "before\nleader 1\nleader 2\nleader 3\n")
    }

    @Test func aCommitThatHitsACoordinatorMoveStillLands() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        for index in 0..<3 {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("iv-4".utf8), value: Array("m\(index)".utf8)))
        }
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "commit-test", topics: [topic])
        let first = try #require(await consumer.next())
        cluster.mock.failNextRequests(.offsetCommit, with: [16])  // NOT_COORDINATOR
        try consumer.commit(first)
        let second = try #require(await consumer.next())
        try consumer.commit(second)
        await consumer.close()
        // A new member of the group starts after the second message.
        let successor = try KafkaConsumer(configuration: cluster.configuration, groupID: "commit-test", topics: [topic])
        let next = try #require(await successor.next())
        await successor.close()
        #expect(String(decoding: next.value, as: UTF8.self) == "m2")
    }
}
