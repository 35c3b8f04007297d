import Events
import Kafka
import Messaging
import Testing

@Suite("Topic provisioning")
struct TopicAdminTests {
    /// The admin calls block (metadata and CreateTopics requests): they run on a thread of
    /// their own, and the test asserts on what they returned.
    @Test func catalogTopicsAreRecognisedAndMismatchesReported() async throws {
        let cluster = try await DevelopmentCluster.start()
        let admin = try KafkaTopicAdmin(configuration: cluster.configuration)
        let (statuses, mismatch) = try await BlockingCalls.run {
            Result { () throws(KafkaError) in
                (
                    try admin.ensure(Topic.specifications()),
                    try admin.ensure([TopicSpecification(name: Topic.schedulingConfirmed.rawValue, partitions: 8, replicationFactor: 3)])
                )
            }
        }.get()
        #expect(statuses[Topic.schedulingRequested.rawValue] == .existed(partitions: 4))
        #expect(statuses[Topic.interviewCreated.rawValue] == .existed(partitions: 12))
        #expect(statuses.count == Topic.allCases.count)
        #expect(mismatch[Topic.schedulingConfirmed.rawValue] == .partitionMismatch(expected: 8, actual: 4))
    }

    @Test func aMissingTopicIsCreatedThroughTheAdminAPI() async throws {
        // librdkafka's mock has no CreateTopics: the request is sent and times out, which
        // shows the path is taken; against a real cluster the topic is created.
        let bare = try KafkaMockCluster(brokers: 1)
        let admin = try KafkaTopicAdmin(configuration: KafkaConfiguration(bootstrapServers: bare.bootstrapServers))
        let existing = try await BlockingCalls.run { Result { () throws(KafkaError) in try admin.existingTopics() } }.get()
        #expect(existing["enginedge.interview.dlq"] == nil, "listing topics creates none")
        let creation = await BlockingCalls.run {
            Result { () throws(KafkaError) in
                try admin.ensure([TopicSpecification(name: "enginedge.interview.dlq", partitions: 4, replicationFactor: 1)], timeout: .seconds(1))
            }
        }
        #expect(throws: KafkaError.self) { try creation.get() }
    }
}
