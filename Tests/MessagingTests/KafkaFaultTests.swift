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

/// Fault injection on the mock cluster: outages, poison messages, redelivery.
@Suite("Kafka faults", .serialized, .runsAfterTestWork)
struct KafkaFaultTests {
    /// Reads every message of `topic` from the start with kcat: `key|partition|payload` lines.
    func readAll(_ topic: String, from cluster: DevelopmentCluster) async throws -> [(key: String, partition: String, payload: String)] {
        let result = try await kcat(["-b", cluster.mock.bootstrapServers, "-C", "-t", topic, "-e", "-q", "-f", "%k|%p|%s\\n"])
        return result.standardOutput.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            return fields.count == 3 ? (fields[0], fields[1], fields[2]) : nil
        }
    }

    @Test func aBrokerOutageLosesNothingDuplicatesNothingAndKeepsOrderPerKey() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let fixture = try MessagingFixture()
        defer { fixture.directory.remove() }
        let topic = Topic.interviewCreated.rawValue
        for index in 0..<1000 {
            let key = "interview-\(index % 10)"
            let payload = #"{"key":"\#(key)","sequence":\#(index / 10)}"#
            try await fixture.store.enqueue(OutboxMessage(id: "m\(index)", topic: topic, key: key, payload: Data(payload.utf8)), at: Date())
        }
        try cluster.mock.setBrokerDown()
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        let relay = OutboxRelay(
            store: fixture.store, publisher: KafkaOutboxPublisher(producer: producer), batchSize: 250, retryBackoff: .milliseconds(200))
        let relaying = Task { await relay.run() }
        try await Task.sleep(for: .seconds(2))
        #expect(try await fixture.store.outboxBacklog() == 1000, "nothing is marked published while every broker is down")
        try cluster.mock.setBrokerUp()
        #expect(try await eventually(60) { try await fixture.store.outboxBacklog() == 0 })
        relaying.cancel()

        let messages = try await readAll(topic, from: cluster)
        #expect(messages.count == 1000, "all arrive, none twice")
        var lastSequence: [String: Int] = [:]
        for message in messages {
            let sequence = Int(message.payload.split(separator: ":").last?.dropLast() ?? "") ?? -1
            #expect(sequence == (lastSequence[message.key] ?? -1) + 1, "order per key: \(message.key)")
            lastSequence[message.key] = sequence
            #expect(message.partition == "\(JavaPartitioner.partition(forKey: Array(message.key.utf8), partitions: 12))")
        }
    }

    @Test func poisonMessagesGoToTheDLQAndConsumptionMovesOn() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        // The mock broker refuses messages over 1 MB, so the size limit is tested below it here
        // (and at 2 MB in InboundEventDecoderTests).
        let fixture = try MessagingFixture(maximumMessageSize: 256 * 1024)
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "await", id: "req-ok", partitionKey: "c", data: [:])
        try await fixture.engine.runDueWork()

        let settings = cluster.configuration
        let producer = try KafkaProducer(configuration: settings)
        afterTest { await producer.shutdown() }
        let topic = Topic.schedulingAvailability.rawValue
        let poison: [(String, [UInt8])] = [
            ("not JSON", Array("this is not json".utf8)),
            (
                "wrong type",
                Array(
                    MessagingFixture.availabilityJSON(eventID: "e1", requestID: "r").replacingOccurrences(
                        of: "scheduling.availability", with: "scheduling.requested"
                    ).utf8)
            ),
            (
                "schema",
                Array(
                    #"{"eventId":"e2","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"availability":[],"conflicts":[]}}"#
                        .utf8)
            ),
            ("huge", Array(repeating: UInt8(ascii: "x"), count: 600_000)),
            ("utf8", [0x7b, 0xff, 0xfe, 0x7d]),
        ]
        for (name, bytes) in poison {
            do {
                _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("c".utf8), value: bytes))
            } catch {
                Issue.record("producing the \(name) message failed: \(error)")
            }
        }
        _ = try await producer.send(
            KafkaProducerMessage(
                topic: topic, key: Array("c".utf8), value: Array(MessagingFixture.availabilityJSON(eventID: "good", requestID: "req-ok").utf8)))

        let consumer = try KafkaConsumer(configuration: settings, groupID: "interview-worker-main", topics: [topic])
        let pipeline = InboundPipeline(consumer: consumer, store: fixture.store, handler: fixture.availabilityHandler)
        let consuming = Task { await pipeline.run() }
        #expect(
            try await eventually { try await fixture.store.instance(id: "req-ok")?.status == .completed },
            "the good message after the poison is handled")
        await pipeline.shutdown()
        await consuming.value

        let relay = OutboxRelay(store: fixture.store, publisher: KafkaOutboxPublisher(producer: producer))
        #expect(try await relay.publishPending() == 10, "five DLQ records and five error events")
        let records = try await readAll(Topic.deadLetter.rawValue, from: cluster).compactMap {
            try? JSONDecoder().decode(DeadLetterRecord.self, from: Data($0.payload.utf8))
        }
        #expect(
            records.map(\.error.code).sorted() == [
                "INVALID_UTF8", "MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "SCHEMA_VIOLATION", "UNEXPECTED_EVENT_TYPE",
            ])
        #expect(records.first { $0.error.code == "SCHEMA_VIOLATION" }?.error.message == "data.requestId: is required")
        #expect(records.allSatisfy { $0.topic == topic })
        let huge = records.first { $0.error.code == "PAYLOAD_TOO_LARGE" }
        #expect(
            huge?.originalSize == 600_000 && huge?.originalTruncated == true && huge?.originalMessage.utf8.count == DeadLetterRecord.maximumExcerpt)
        #expect(records.first { $0.error.code == "INVALID_UTF8" }?.originalMessageBase64 == "e//+fQ==")
        #expect(Set(records.map(\.offset)).count == 5)
        let errors = try await readAll(Topic.errorOccurred.rawValue, from: cluster)
        #expect(errors.count == 5)
        let validator = BuiltProducts.repositoryRoot.appendingPathComponent("scripts/validate_events.py").path
        let dlqLines = try await readAll(Topic.deadLetter.rawValue, from: cluster).map(\.payload).joined(separator: "\n")
        let dlqValid = try await ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", validator, "--schema", "dlq", "-"]
        ).run(input: Data(dlqLines.utf8))
        #expect(dlqValid.status == 0, "\(dlqValid.standardOutput)")
        let errorsValid = try await ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", validator, "-"]).run(
            input: Data(errors.map(\.payload).joined(separator: "\n").utf8))
        #expect(errorsValid.status == 0, "\(errorsValid.standardOutput)")

        // The group's committed offset moved past everything.
        let again = try KafkaConsumer(configuration: settings, groupID: "interview-worker-main", topics: [topic])
        let next = Task { await again.next() }
        try await Task.sleep(for: .seconds(3))
        next.cancel()
        await again.close()
        #expect(await next.value == nil, "nothing is redelivered to the group")
    }

    @Test func aRedeliveryAfterACrashBeforeTheOffsetCommitIsRecognised() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let fixture = try MessagingFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "await", id: "req-9", partitionKey: "c9", data: [:])
        try await fixture.engine.runDueWork()
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        let topic = Topic.schedulingAvailability.rawValue
        _ = try await producer.send(
            KafkaProducerMessage(
                topic: topic, key: Array("c9".utf8), value: Array(MessagingFixture.availabilityJSON(eventID: "once", requestID: "req-9").utf8)))

        // The first consumer applies the message to SQLite and "dies" before committing the offset.
        let first = try KafkaConsumer(configuration: cluster.configuration, groupID: "interview-worker-main", topics: [topic])
        let message = try #require(await first.next())
        try await fixture.availabilityHandler(message)
        await first.close()
        #expect(try await fixture.store.instance(id: "req-9")?.status == .completed)

        // Its successor gets the message again; the inbox recognises the event id.
        let second = try KafkaConsumer(configuration: cluster.configuration, groupID: "interview-worker-main", topics: [topic])
        let redelivered = try #require(await second.next())
        #expect(redelivered.offset == message.offset)
        let envelope = try InboundEventDecoder().availability(redelivered.value)
        let outcome = try await fixture.engine.deliver(
            InboundEvent(messageID: envelope.eventId, topic: topic, type: envelope.eventType, correlation: envelope.data.requestId, payload: [:]))
        #expect(outcome == .duplicate)
        try second.commit(redelivered)
        await second.close()
        #expect(try await fixture.store.stepLog(sagaID: "req-9").filter { $0.outcome == .eventApplied }.count == 1, "applied once")
    }
}
