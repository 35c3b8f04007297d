import Foundation
import Kafka
import Messaging
import SchedulerTestScopes
import Testing

@Suite("Kafka consumer lag", .runsAfterTestWork)
struct KafkaConsumerLagTests {
    @Test func lagIsTheMessagesNotYetHandedOut() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let topic = "enginedge.interview.scheduling.availability"
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        for index in 0..<5 {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("cand-lag".utf8), value: Array("m\(index)".utf8)))
        }
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "lag-test", topics: [topic])
        #expect(consumer.lag().allSatisfy { $0.lag == 0 }, "nothing known before an assignment")
        let first = try #require(await consumer.next())
        try consumer.commit(first)
        let behind = consumer.lag().filter { $0.partition == first.partition }
        #expect(behind.map(\.lag) == [4], "five produced, one handed out")
        #expect(consumer.lag().filter { $0.partition != first.partition }.allSatisfy { $0.lag == 0 })
        await consumer.close()
        #expect(consumer.lag().isEmpty)
    }
}
