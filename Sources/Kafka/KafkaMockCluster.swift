import CRdKafka
package import Logging

/// librdkafka's built-in mock cluster: real Kafka protocol on loopback, in memory, for
/// development and tests. External clients such as `kcat` can use it through
/// `bootstrapServers`. Not durable: everything is gone when it is dropped.
package final class KafkaMockCluster: @unchecked Sendable {
    /// Kafka protocol request types, for fault injection.
    package enum APIKey: Int16, Sendable {
        case produce = 0, fetch = 1, listOffsets = 2, metadata = 3, offsetCommit = 8, offsetFetch = 9
        case findCoordinator = 10, joinGroup = 11, heartbeat = 12, syncGroup = 14, initProducerID = 22
    }

    /// The handle the cluster lives in; destroyed after the cluster.
    private let host: RDKafkaHandle
    private let cluster: OpaquePointer
    /// `127.0.0.1:port` of every broker, comma-separated.
    package let bootstrapServers: String
    package let brokerCount: Int
    let logger: Logger

    package init(brokers: Int = 3, logger: Logger = Logger(label: "kafka-mock-cluster")) throws(KafkaError) {
        // The host handle only carries the cluster; it never connects, so spare its notices.
        host = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: ["log_level": "4"], logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(host.pointer, Int32(brokers)) else {
            throw .configuration("the mock cluster could not be started")
        }
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerCount = brokers
        self.logger = logger
        disableNagleOnBrokerSockets()
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic; an existing topic is an error (`TOPIC_ALREADY_EXISTS`).
    package func createTopic(_ name: String, partitions: Int, replicationFactor: Int) throws(KafkaError) {
        try check(rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)), "create topic \(name)")
    }

    /// Takes a broker down (closing its connections and refusing new ones); nil for all.
    package func setBrokerDown(_ broker: Int32? = nil) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster, broker ?? -1), "broker down")
        disableNagleOnBrokerSockets()  // the broker's listener was made anew
    }

    package func setBrokerUp(_ broker: Int32? = nil) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster, broker ?? -1), "broker up")
    }

    /// Makes `broker` the leader of a partition, as after a broker failure.
    package func setLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker), "set leader")
    }

    /// The next `errors.count` requests of type `api`, on any broker, fail with these codes.
    package func failNextRequests(_ api: APIKey, with errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        codes.withUnsafeBufferPointer { rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, $0.count, $0.baseAddress) }
    }

    private func check(_ error: rd_kafka_resp_err_t, _ context: String) throws(KafkaError) {
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, context: context) }
    }
}
