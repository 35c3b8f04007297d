package import Events
package import Kafka

extension Topic {
    /// Every catalog topic as the service needs it to exist.
    package static func specifications(replicationFactor: Int = Topic.replicationFactor) -> [TopicSpecification] {
        allCases.map { TopicSpecification(name: $0.rawValue, partitions: $0.partitions, replicationFactor: replicationFactor) }
    }
}
