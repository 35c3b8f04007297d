import CRdKafka
package import Logging

/// A topic the service needs, with the partitions and replicas it should have.
package struct TopicSpecification: Hashable, Sendable {
    package var name: String
    package var partitions: Int
    package var replicationFactor: Int

    package init(name: String, partitions: Int, replicationFactor: Int) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}

/// What topic provisioning found or did for one topic.
package enum TopicStatus: Hashable, Sendable {
    case existed(partitions: Int)
    case created
    /// It exists with another partition count than the catalog's; left as it is.
    case partitionMismatch(expected: Int, actual: Int)
    case failed(KafkaError)
}

/// Creates missing topics and checks existing ones, through librdkafka's admin API.
package final class KafkaTopicAdmin: Sendable {
    private let handle: RDKafkaHandle
    private let logger: Logger

    package init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka-admin")) throws(KafkaError) {
        // Producers may auto-create topics by asking about them; this handle must not.
        var properties = configuration.librdkafkaProperties
        properties["allow.auto.create.topics"] = "false"
        handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: properties, logger: logger)
        self.logger = logger
    }

    /// Partition counts of every existing topic (asking for all topics creates none).
    @available(*, noasync, message: "blocks the calling thread; from async code, call it through BlockingCalls.run")
    package func existingTopics(timeout: Duration = .seconds(10)) throws(KafkaError) -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(handle.pointer, 1, nil, &metadata, timeout.librdkafkaMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(error, context: "read metadata") }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR, let name = topic.topic else { continue }
            topics[String(cString: name)] = Int(topic.partition_cnt)
        }
        return topics
    }

    /// Creates the topics that do not exist and reports on each; warns on partition mismatches.
    @available(*, noasync, message: "blocks the calling thread; from async code, call it through BlockingCalls.run")
    package func ensure(_ specifications: [TopicSpecification], timeout: Duration = .seconds(15)) throws(KafkaError) -> [String: TopicStatus] {
        let existing = try existingTopics(timeout: timeout)
        var statuses: [String: TopicStatus] = [:]
        var missing: [TopicSpecification] = []
        for specification in specifications {
            if let partitions = existing[specification.name] {
                if partitions == specification.partitions {
                    statuses[specification.name] = .existed(partitions: partitions)
                } else {
                    statuses[specification.name] = .partitionMismatch(expected: specification.partitions, actual: partitions)
                    logger.warning(
                        "topic has a different partition count than the catalog",
                        metadata: [
                            "topic": "\(specification.name)", "expected": "\(specification.partitions)", "actual": "\(partitions)",
                        ])
                }
            } else {
                missing.append(specification)
            }
        }
        for (name, status) in try create(missing, timeout: timeout) { statuses[name] = status }
        return statuses
    }

    private func create(_ specifications: [TopicSpecification], timeout: Duration) throws(KafkaError) -> [String: TopicStatus] {
        guard !specifications.isEmpty else { return [:] }
        var errorText = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for specification in specifications {
            guard
                let topic = rd_kafka_NewTopic_new(
                    specification.name, Int32(specification.partitions), Int32(specification.replicationFactor), &errorText, errorText.count)
            else {
                throw .configuration("topic \(specification.name): \(String(nulTerminated: errorText))")
            }
            newTopics.append(topic)
        }
        guard let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw .configuration("cannot create admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.librdkafkaMilliseconds, &errorText, errorText.count)
        guard let queue = rd_kafka_queue_new(handle.pointer) else { throw .configuration("cannot create a result queue") }
        defer { rd_kafka_queue_destroy(queue) }
        newTopics.withUnsafeMutableBufferPointer { rd_kafka_CreateTopics(handle.pointer, $0.baseAddress, $0.count, options, queue) }
        guard let event = rd_kafka_queue_poll(queue, (timeout + .seconds(5)).librdkafkaMilliseconds) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, context: "create topics")
        }
        defer { rd_kafka_event_destroy(event) }
        let requestError = rd_kafka_event_error(event)
        guard requestError == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(requestError, context: "create topics") }
        var statuses: [String: TopicStatus] = [:]
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event), let topics = rd_kafka_CreateTopics_result_topics(result, &count) else {
            return statuses
        }
        for index in 0..<count {
            guard let topic = topics[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topic))
            let error = rd_kafka_topic_result_error(topic)
            statuses[name] =
                error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS ? .created : .failed(KafkaError(error))
        }
        return statuses
    }
}
