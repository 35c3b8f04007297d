import Events
import Foundation
import Kafka
import Messaging
import SchedulerTestScopes
import SchedulerTesting
import Testing

/// The development cluster held up for a moment while a consumer joins its group, as on a
/// loaded machine. librdkafka 2.0.2's mock then runs its late session check before the
/// election, drops the member whose JoinGroup it holds, and never answers that JoinGroup.
@Suite("The development cluster held up while a consumer joins", .runsAfterTestWork)
struct DevelopmentClusterStallTests {
    /// With the development configuration the consumer gives up on the lost JoinGroup and
    /// joins again within `max.poll.interval.ms` plus a few seconds, instead of consuming
    /// nothing for the default five minutes (a CI run's service did so for two).
    @Test func aConsumerWhoseJoinTheMockLostJoinsAgainSoon() async throws {
        let cluster = try await DevelopmentClusterProcess()
        afterTest { await cluster.stop() }
        let bootstrap = cluster.bootstrap
        try #require(bootstrap.hasPrefix("127.0.0.1:"), "dev-cluster printed \(bootstrap)")

        let topic = Topic.schedulingAvailability.rawValue
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: bootstrap))
        afterTest { await producer.shutdown() }
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("req-1".utf8), value: Array("m0".utf8)))

        let log = RecordingLogHandler()
        let properties = DevelopmentCluster.consumerProperties.merging(["debug": "cgrp"]) { $1 }
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrapServers: bootstrap, consumerProperties: properties), groupID: "held-up", topics: [topic],
            logger: log.logger)
        afterTest { await consumer.close() }
        let first = Task { await consumer.next() }
        #expect(try await eventually(30) { log.messages.contains { $0.contains("Joining group") } }, "the consumer asked to join")
        // The mock reads the JoinGroup, then stops for longer than the member's session
        // (6 s) across the election due 3 s after the join.
        try await Task.sleep(for: .milliseconds(300))
        do {
            cluster.suspend()
            defer { cluster.resume() }
            try await Task.sleep(for: .seconds(6))
        }
        let message = try await finishing(within: 45) { await first.value } ?? nil
        #expect(message.map { String(decoding: $0.value, as: UTF8.self) } == "m0", "assigned and consuming again within 45 s")
    }
}
