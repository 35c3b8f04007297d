import Events
import Foundation
import Kafka
import Messaging
import SchedulerTestScopes
import Testing

/// The development cluster's brokers answer without Nagle's algorithm, as Kafka's brokers do,
/// and the clients write without it, as librdkafka ≥ 2.10 does by default.
@Suite("Nagle's algorithm off", .runsAfterTestWork)
struct MockBrokerNagleTests {
    /// Whether `TCP_NODELAY` is set, for each of the cluster's sockets (nil where it cannot be read).
    func noDelay(_ cluster: DevelopmentCluster) -> [Bool?] {
        var states: [Bool?] = []
        KafkaMockCluster.withTCPSockets(boundTo: cluster.mock.brokerPorts) { socket in
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            states.append(getsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length) == 0 ? value != 0 : nil)
        }
        return states
    }

    @Test func everyConnectionABrokerAcceptsHasItOffAlsoAfterTheBrokerWasDown() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        let message = KafkaProducerMessage(topic: Topic.interviewCreated.rawValue, key: Array("k".utf8), value: Array("v".utf8))

        _ = try await producer.send(message)
        let sockets = noDelay(cluster)
        #expect(sockets.count > cluster.mock.brokerCount, "the listeners and at least the connection the producer made")
        #expect(sockets.allSatisfy { $0 == true }, "\(sockets)")

        // Taking a broker down makes its listener anew; the connections made after it comes
        // back are accepted there.
        try cluster.mock.setBrokerDown()
        try cluster.mock.setBrokerUp()
        _ = try await producer.send(message)
        let afterwards = noDelay(cluster)
        #expect(afterwards.count > cluster.mock.brokerCount)
        #expect(afterwards.allSatisfy { $0 == true }, "\(afterwards)")
    }

    @Test func clientsTurnItOffUnlessTheConfigurationSaysOtherwise() {
        #expect(KafkaConfiguration(bootstrapServers: "a:9092").description.contains("socket.nagle.disable=true"))
        let explicit = KafkaConfiguration(bootstrapServers: "a:9092", properties: ["socket.nagle.disable": "false"])
        #expect(explicit.description.contains("socket.nagle.disable=false"))
    }
}
