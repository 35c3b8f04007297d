import Events
import Kafka
import Messaging
import Testing

@Suite("Topic provisioning")
struct TopicAdminTests {
    @Test func catalogTopicsAreRecognisedAndMismatchesReported() throws {
        let cluster = try DevelopmentCluster()
        let admin = try KafkaTopicAdmin(configuration: cluster.configuration)
        let statuses = try admin.ensure(Topic.specifications())
        #expect(statuses[Topic.schedulingRequested.rawValue] == .existed(partitions: 4))
        #expect(statuses[Topic.interviewCreated.rawValue] == .existed(partitions: 12))
        #expect(statuses.count == Topic.allCases.count)

        let mismatch = try admin.ensure([TopicSpecification(name: Topic.schedulingConfirmed.rawValue, partitions: 8, replicationFactor: 3)])
        #expect(mismatch[Topic.schedulingConfirmed.rawValue] == .partitionMismatch(expected: 8, actual: 4))
    }

    @Test func aMissingTopicIsCreatedThroughTheAdminAPI() throws {
        // librdkafka's mock has no CreateTopics: the request is sent and times out, which
        // shows the path is taken; against a real cluster the topic is created.
        let bare = try KafkaMockCluster(brokers: 1)
        let admin = try KafkaTopicAdmin(configuration: KafkaConfiguration(bootstrapServers: bare.bootstrapServers))
        #expect(try admin.existingTopics()["enginedge.interview.dlq"] == nil, "listing topics creates none")
        #expect(throws: KafkaError.self) {
            _ = try admin.ensure([TopicSpecification(name: "enginedge.interview.dlq", partitions: 4, replicationFactor: 1)], timeout: .seconds(1))
        }
    }
}
