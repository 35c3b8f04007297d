import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine
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

    /// One message produced, consumed and handled by a pipeline whose handler throws `error`
    /// on its first `failures` calls; returns how many calls it took and what was left in the
    /// outbox (a DLQ record, had the message been dead-lettered).
    func handle(failingFirst failures: Int, with error: any Error, maxAttempts: Int) async throws -> (calls: Int, outbox: Int) {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let producer = try MessagingFixture.producer(on: cluster)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("c".utf8), value: Array("{}".utf8)))
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "pipeline", topics: [topic])
        afterTest { await consumer.close() }
        let message = try #require(await consumer.next())
        let calls = Mutex(0)
        let pipeline = InboundPipeline(
            consumer: consumer, store: fixture.store,
            retry: .init(maxAttempts: maxAttempts, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))
        ) { _ in
            let call = calls.withLock {
                $0 += 1
                return $0
            }
            if call <= failures { throw error }
        }
        await pipeline.handle(message)
        return (calls.withLock { $0 }, try await fixture.store.outboxBacklog())
    }

    @Test func aDatabaseOutageRetriesAValidMessageInsteadOfDeadLetteringIt() async throws {
        let outage = try unavailableStoreError()
        #expect(SagaStore.isUnavailable(outage))
        // Down for three times the retry budget, then back.
        let (calls, outbox) = try await handle(failingFirst: 6, with: outage, maxAttempts: 2)
        #expect(calls == 7, "applied once the database was back")
        #expect(outbox == 0, "nothing dead-lettered")
    }

    /// A handler may throw `CancellationError` for a cancellation of its own (a child task's
    /// time limit, say) while the pipeline runs on: that is a failure to retry, not a shutdown.
    /// Taken for a shutdown, the message was left unsettled while the next batch committed
    /// past it.
    @Test func aCancellationErrorOfTheHandlersOwnIsRetried() async throws {
        let (calls, outbox) = try await handle(failingFirst: 2, with: CancellationError(), maxAttempts: 5)
        #expect(calls == 3, "tried again until it was applied")
        #expect(outbox == 0, "nothing dead-lettered")
    }

    /// A message at `offset` of partition 0.
    func message(_ value: String, offset: Int64, key: String = "cand-1") -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 0, offset: offset, key: Array(key.utf8), value: Array(value.utf8))
    }

    /// Dead-lettered after its retries, then delivered again (its offset commit lost): the copy
    /// is recognised, not applied, though its saga now would take it.
    @Test func aMessageDeadLetteredAfterItsRetriesIsNotAppliedWhenItComesAgain() async throws {
        // Fails in the batch and in both tries one at a time; would succeed from then on.
        let (cluster, fixture) = try await MessagingFixture.withCluster(failingCollects: 3)
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "redelivered", topics: [topic])
        afterTest { await consumer.close() }
        let pipeline = InboundPipeline(
            consumer: consumer, store: fixture.store, engine: fixture.engine,
            retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(5))
        ) { [decoder = fixture.decoder] message in
            let envelope = try decoder.availability(message.value)
            return InboundEvent(
                messageID: envelope.eventId, topic: message.topic, type: envelope.eventType, correlation: envelope.data.requestId,
                payload: try JSONValue.encoding(envelope.data))
        }
        _ = try await fixture.engine.start(type: "await", id: "r-7", partitionKey: "cand-1", data: [:])
        try await fixture.engine.runDueWork()
        let delivery = message(MessagingFixture.availabilityJSON(eventID: "e-7", requestID: "r-7"), offset: 7)

        await pipeline.handle([delivery])
        #expect(
            try await fixture.store.pendingOutbox(limit: 100).map(\.message.id).filter { $0.hasPrefix("dlq:") }.count == 1,
            "dead-lettered after its retries")
        await pipeline.handle([delivery])
        #expect(try await fixture.store.instance(id: "r-7")?.status == .waiting, "the copy was not applied")
        #expect(
            try await fixture.store.pendingOutbox(limit: 100).map(\.message.id).filter { $0.hasPrefix("dlq:") }.count == 1, "nor dead-lettered twice")
    }

    /// Two different poison messages at one position (the topic deleted and made again, its
    /// offsets starting over): each reaches the DLQ; a copy of either is recognised.
    @Test func aPoisonMessageAtAPositionUsedBeforeStillReachesTheDLQ() async throws {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "recreated", topics: [topic])
        afterTest { await consumer.close() }
        let pipeline = InboundPipeline(consumer: consumer, store: fixture.store, handler: fixture.availabilityHandler)
        await pipeline.handle([message("not json", offset: 42)])
        await pipeline.handle([message("{\"also\": \"not an event\"}", offset: 42)])
        await pipeline.handle([message("not json", offset: 42)])
        let records = try await fixture.store.pendingOutbox(limit: 100).map(\.message.id).filter { $0.hasPrefix("dlq:") }
        #expect(records.count == 2, "one DLQ record per message, none for the copy: \(records)")
    }

    @Test func shutdownNeitherDeadLettersNorCommits() async throws {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let producer = try MessagingFixture.producer(on: cluster)
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
