import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTestScopes
import SchedulerTesting
import Testing

/// The real librdkafka client, the dev cluster in its own process, and kcat.
@Suite("Kafka with real processes", .serialized, .runsAfterTestWork)
struct KafkaEndToEndTests {
    @Test func kcatProducesAndTheServiceConsumesAndProducesBack() async throws {
        let cluster = try await DevelopmentClusterProcess()
        afterTest { await cluster.stop() }
        let bootstrap = cluster.bootstrap
        #expect(bootstrap.hasPrefix("127.0.0.1:"))

        let fixture = try MessagingFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "await", id: "req-7", partitionKey: "cand-7", data: [:])
        try await fixture.engine.runDueWork()

        // kcat, as the calendar service, answers.
        let produced = try await kcat(
            ["-b", bootstrap, "-P", "-t", Topic.schedulingAvailability.rawValue, "-k", "cand-7", "-X", "partitioner=murmur2_random"],
            input: MessagingFixture.availabilityJSON(eventID: "kcat-1", requestID: "req-7") + "\n")
        #expect(produced.status == 0, "\(produced.standardError)")
        let configuration = KafkaConfiguration(bootstrapServers: bootstrap)
        let consumer = try KafkaConsumer(
            configuration: configuration, groupID: "interview-worker-main", topics: [Topic.schedulingAvailability.rawValue])
        let pipeline = InboundPipeline(consumer: consumer, store: fixture.store, handler: fixture.availabilityHandler)
        let consuming = Task { await pipeline.run() }
        #expect(try await eventually { try await fixture.store.instance(id: "req-7")?.status == .completed })
        await pipeline.shutdown()
        await consuming.value
        #expect(try await fixture.store.instance(id: "req-7")?.data["conflicts"] == .number(1))

        // The service announces a confirmation through its outbox; kcat reads it.
        let confirmation = EventEnvelope(
            eventId: "confirm-7", eventType: SchedulingConfirmed.eventType, timestamp: Date(),
            data: SchedulingConfirmed(
                interviewId: "iv-7", scheduledAt: "2026-03-10T14:00:00Z",
                meetingDetails: .init(
                    title: "Technical Interview - Ada", location: "Video call", attendees: ["ada@example.org", "grace@example.com"],
                    description: "Panel")))
        try await fixture.store.enqueue(
            OutboxMessage(id: confirmation.eventId, topic: Topic.schedulingConfirmed.rawValue, key: "cand-7", payload: try confirmation.encoded()),
            at: Date())
        let producer = try KafkaProducer(configuration: configuration)
        afterTest { await producer.shutdown() }
        let relay = OutboxRelay(store: fixture.store, publisher: KafkaOutboxPublisher(producer: producer))
        #expect(try await relay.publishPending() == 1)
        let read = try await kcat(["-b", bootstrap, "-C", "-t", Topic.schedulingConfirmed.rawValue, "-e", "-q", "-f", "%k|%p|%s\\n"])
        let fields = read.standardOutput.split(separator: "|", maxSplits: 2).map(String.init)
        #expect(fields.count == 3)
        #expect(fields.first == "cand-7")
        #expect(
            fields.dropFirst().first == "\(JavaPartitioner.partition(forKey: Array("cand-7".utf8), partitions: 4))",
            "partitioned like the Java client")
        let validation = try await ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["python3", BuiltProducts.repositoryRoot.appendingPathComponent("scripts/validate_events.py").path, "-"]
        )
        .run(input: Data((fields.last ?? "").utf8))
        #expect(validation.status == 0, "\(validation.standardOutput) \(validation.standardError)")
    }
}
