import Events
import Foundation
import Kafka
import Logging
import Messaging

/// The Kafka the process talks to: the one `KAFKA_*` names, or, in embedded mode only, an
/// in-process development cluster when no bootstrap servers are set. The catalog's topics are
/// created if missing.
final class KafkaConnection: Sendable {
    let configuration: KafkaConfiguration
    /// Kept alive as long as the connection when embedded.
    let embedded: DevelopmentCluster?
    /// One client for topic set-up and readiness probes, not one per probe.
    private let probe: ReadinessProbe

    init(environment: [String: String], embedded allowEmbedded: Bool, logger: Logger) throws {
        if let configured = try KafkaConfiguration.fromEnvironment(environment) {
            configuration = configured
            embedded = nil
        } else {
            guard allowEmbedded else { throw ServiceConfigurationError.missing("KAFKA_BOOTSTRAP_SERVERS", "the Kafka brokers (host:port,…)") }
            let cluster = try DevelopmentCluster(brokers: 3, logger: logger)
            configuration = cluster.configuration
            embedded = cluster
            logger.notice(
                "no KAFKA_BOOTSTRAP_SERVERS: started an embedded development cluster (not durable)",
                metadata: ["bootstrap": "\(cluster.mock.bootstrapServers)"])
        }
        let admin = try KafkaTopicAdmin(configuration: configuration, logger: logger)
        probe = ReadinessProbe { await BlockingCalls.run { (try? admin.existingTopics(timeout: .seconds(2))) != nil } }
        let replication = embedded == nil ? Int(environment["KAFKA_REPLICATION_FACTOR"] ?? "") ?? 3 : 3
        _ = try admin.ensure(Topic.specifications(replicationFactor: replication))
    }

    /// Connects and creates missing topics (metadata and CreateTopics requests, which block)
    /// off the cooperative pool.
    static func open(environment: [String: String], embedded: Bool, logger: Logger) async throws -> KafkaConnection {
        try await BlockingCalls.run { Result { try KafkaConnection(environment: environment, embedded: embedded, logger: logger) } }.get()
    }

    /// Whether a broker answers a metadata request (within 2 s, off the cooperative pool; one
    /// request at a time, its answer reused for a second).
    func isReachable() async -> Bool {
        await probe.reachable()
    }
}
