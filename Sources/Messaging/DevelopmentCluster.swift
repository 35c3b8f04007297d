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

    /// Client configuration that reaches this cluster.
    package var configuration: KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: mock.bootstrapServers, consumerProperties: Self.consumerProperties)
    }

    /// What consumers of a development cluster need, for the habits of librdkafka 2.0.2's mock:
    /// - Its group coordinator does not act on a member's LeaveGroup, so a successor waits
    ///   out the old member's session: sessions are kept short.
    /// - It holds every fetch for the full `fetch.wait.max.ms` even when data arrives, so
    ///   that wait is kept short.
    /// - It drops a member whose JoinGroup it has not answered yet when its session check runs
    ///   late (the mock's thread held up for a second or more at the end of a join window, as
    ///   on a loaded machine), and never answers that JoinGroup; the client waits for it
    ///   `max.poll.interval.ms` plus 3 s, 303 s by default, without consuming. A shorter poll
    ///   interval bounds that loss (a handler may then take at most that long per batch
    ///   before the member leaves and rejoins the group, which redelivers to the inbox).
    package static let consumerProperties = [
        "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "fetch.wait.max.ms": "10", "max.poll.interval.ms": "20000",
    ]

    /// `consumerProperties` as the `KAFKA_CONSUMER_PROPERTY_*` variables of a process that
    /// uses a development cluster of another process.
    package static var consumerEnvironment: [String: String] {
        Dictionary(
            uniqueKeysWithValues: consumerProperties.map { name, value in
                (
                    "KAFKA_CONSUMER_PROPERTY_" + name.uppercased().replacingOccurrences(of: "_", with: "__").replacingOccurrences(of: ".", with: "_"),
                    value
                )
            })
    }
}
