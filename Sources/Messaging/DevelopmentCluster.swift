import Events
import Foundation
package import Kafka
package import Logging

/// A non-durable Kafka for development and tests: librdkafka's mock cluster with three
/// brokers and every catalog topic created.
package final class DevelopmentCluster: Sendable {
    package let mock: KafkaMockCluster

    package init(brokers: Int = 3, logger: Logger = Logger(label: "dev-kafka")) throws(KafkaError) {
        mock = try KafkaMockCluster(brokers: brokers, logger: logger)
        for specification in Topic.specifications(replicationFactor: min(Topic.replicationFactor, brokers)) {
            try mock.createTopic(specification.name, partitions: specification.partitions, replicationFactor: specification.replicationFactor)
        }
        logger.warning(
            "using an in-process, NON-DURABLE development Kafka cluster; configure KAFKA_BOOTSTRAP_SERVERS for a real one",
            metadata: [
                "bootstrap": "\(mock.bootstrapServers)"
            ])
    }

    /// Starts a cluster off the cooperative threads: creating the mock's topics waits on its
    /// own thread (`rd_kafka_mock_topic_create`), which under load takes seconds, and two such
    /// waits on a two-core machine's cooperative threads stall every task in the process.
    package static func start(brokers: Int = 3, logger: Logger = Logger(label: "dev-kafka")) async throws(KafkaError) -> DevelopmentCluster {
        let started = await BlockingCalls.run { () -> Result<DevelopmentCluster, KafkaError> in
            do throws(KafkaError) {
                return .success(try DevelopmentCluster(brokers: brokers, logger: logger))
            } catch {
                return .failure(error)
            }
        }
        return try started.get()
    }

    /// Client configuration that reaches this cluster. The mock's group coordinator does
    /// not act on a member's LeaveGroup (librdkafka 2.0.2), so a successor waits out the old
    /// member's session: sessions are kept short here. The mock also holds every fetch for
    /// the full `fetch.wait.max.ms` even when data arrives, so that wait is kept short too.
    package var configuration: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: mock.bootstrapServers,
            consumerProperties: [
                "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "fetch.wait.max.ms": "10",
            ])
    }
}
