import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaStore
import SchedulerTestScopes
import SchedulerTesting
import Synchronization
import Testing

/// What the pipeline does when the service, not the message, is the problem.
@Suite("Inbound pipeline", .serialized, .runsAfterTestWork)
struct InboundPipelineTests {
    let topic = Topic.schedulingAvailability.rawValue

    /// A real error of an unavailable store: SQLite cannot open a directory as a database.
    func unavailableStoreError() throws -> any Error {
        let directory = try TemporaryDirectory(prefix: "unopenable")
        defer { directory.remove() }
        do {
            _ = try SagaStore(path: directory.url.path)
        } catch {
            return error
        }
        throw CancellationError()
    }

    @Test func aDatabaseOutageRetriesAValidMessageInsteadOfDeadLetteringIt() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let fixture = try MessagingFixture()
        defer { fixture.directory.remove() }
        let outage = try unavailableStoreError()
        #expect(SagaStore.isUnavailable(outage))
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("c".utf8), value: Array("{}".utf8)))
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "pipeline", topics: [topic])
        afterTest { await consumer.close() }
        let message = try #require(await consumer.next())
        let calls = Mutex(0)
        let pipeline = InboundPipeline(
            consumer: consumer, store: fixture.store, retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))
        ) { _ in
            // Down for three times the retry budget, then back.
            if calls.withLock({
                $0 += 1
                return $0
            }) <= 6 {
                throw outage
            }
        }
        await pipeline.handle(message)
        #expect(calls.withLock { $0 } == 7, "applied once the database was back")
        #expect(try await fixture.store.outboxBacklog() == 0, "nothing dead-lettered")
    }

    @Test func shutdownNeitherDeadLettersNorCommits() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let fixture = try MessagingFixture()
        defer { fixture.directory.remove() }
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("c".utf8), value: Array("{}".utf8)))

        let first = try KafkaConsumer(configuration: cluster.configuration, groupID: "pipeline", topics: [topic])
        let message = try #require(await first.next())
        let pipeline = InboundPipeline(consumer: first, store: fixture.store) { _ in try await Task.sleep(for: .seconds(60)) }
        let handling = Task { await pipeline.handle(message) }
        handling.cancel()
        await handling.value
        await first.close()
        #expect(try await fixture.store.outboxBacklog() == 0, "a message interrupted by shutdown is not dead-lettered")

        let second = try KafkaConsumer(configuration: cluster.configuration, groupID: "pipeline", topics: [topic])
        afterTest { await second.close() }
        let again = try await finishing(within: 60) { await second.next() }
        #expect(again??.offset == message.offset, "its offset was not committed, so it comes again")
    }
}
