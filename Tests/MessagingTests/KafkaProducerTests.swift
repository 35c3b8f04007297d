import Events
import Messaging
import SchedulerTestScopes
import SchedulerTesting
import Testing

@testable import Kafka

@Suite("Kafka producer", .serialized, .runsAfterTestWork)
struct KafkaProducerTests {
    @Test func aBatchKeepsItsOrderPerKeyUnderBackPressure() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        // One message in librdkafka's queue at a time: every enqueue waits for the one before.
        var configuration = cluster.configuration
        configuration.properties["queue.buffering.max.messages"] = "1"
        let producer = try KafkaProducer(configuration: configuration)
        afterTest { await producer.shutdown() }
        let topic = Topic.interviewCreated.rawValue
        let messages = (0..<60).map { KafkaProducerMessage(topic: topic, key: Array("key-\($0 % 3)".utf8), value: Array("\($0 / 3)".utf8)) }
        let results = await producer.send(messages)
        #expect(results.allSatisfy { (try? $0.get()) != nil })

        let read = try await kcat(["-b", cluster.mock.bootstrapServers, "-C", "-t", topic, "-e", "-q", "-f", "%k|%s\\n"])
        var sequences: [Substring: [Int]] = [:]
        for line in read.standardOutput.split(separator: "\n") {
            let fields = line.split(separator: "|")
            if fields.count == 2, let sequence = Int(fields[1]) { sequences[fields[0], default: []].append(sequence) }
        }
        #expect(sequences.count == 3)
        #expect(sequences.values.allSatisfy { $0 == Array(0..<20) }, "produced in batch order per key: \(sequences)")
    }

    @Test func aReportThatComesBeforeItsWaiterIsKept() async throws {
        let router = DeliveryRouter()
        let early = try router.reserve(), unreported = try router.reserve()
        router.deliver(early, .success(KafkaDeliveryReport(topic: "t", partition: 0, offset: 7)))
        #expect(try await router.report(for: early).offset == 7)
        router.close(.closed("producer"))
        await #expect(throws: KafkaError.closed("producer")) { try await router.report(for: unreported) }
        #expect(throws: KafkaError.closed("producer")) { try router.reserve() }
    }
}
