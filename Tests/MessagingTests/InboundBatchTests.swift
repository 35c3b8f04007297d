import Events
import Foundation
import GRDB
import Kafka
import Messaging
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTestScopes
import SchedulerTesting
import Synchronization
import Testing

/// Batches: what the consumer has received is handled at once, key by key, and committed once.
@Suite("Inbound batches", .serialized, .runsAfterTestWork)
struct InboundBatchTests {
    let topic = Topic.schedulingAvailability.rawValue

    /// Four keys that Java's partitioner (and so the producer) places on one partition, so
    /// their messages arrive in one fetch.
    static let keys: [String] = {
        var keys: [String] = []
        var index = 0
        while keys.count < 4 {
            let key = "cand-\(index)"
            if JavaPartitioner.partition(forKey: Array(key.utf8), partitions: Topic.schedulingAvailability.partitions) == 0 { keys.append(key) }
            index += 1
        }
        return keys
    }()

    @Test func aBatchRunsKeysAtOnceInOrderPerKeyAndDeadLettersOnlyThePoison() async throws {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let producer = try MessagingFixture.producer(on: cluster)
        // Ten messages per key, interleaved; the fifth of the second key is poison.
        var sent: [KafkaProducerMessage] = []
        for sequence in 0..<10 {
            for key in Self.keys {
                let poison = key == Self.keys[1] && sequence == 4
                sent.append(KafkaProducerMessage(topic: topic, key: Array(key.utf8), value: Array((poison ? "not json" : "\(sequence)").utf8)))
            }
        }
        for result in await producer.send(sent) { _ = try result.get() }

        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "batches", topics: [topic])
        afterTest { await consumer.close() }
        var batches: [[KafkaMessage]] = []
        while batches.joined().count < sent.count {
            let batch = await consumer.next(upTo: 100)
            try #require(!batch.isEmpty)
            batches.append(batch)
        }
        #expect(batches.contains { $0.count > 1 }, "messages that had arrived were handed out together")

        let all = Array(batches.joined())
        let handled = Mutex<[String: [Int]]>([:])
        let running = Mutex((now: 0, most: 0))
        let firstOfEachKey = Mutex(0)
        let pipeline = InboundPipeline(consumer: consumer, store: fixture.store) { message in
            running.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
            defer { running.withLock { $0.now -= 1 } }
            guard let sequence = Int(String(decoding: message.value, as: UTF8.self)) else {
                throw EventRejection(.malformedJSON, "not json")
            }
            if sequence == 0 {
                // Each key's first message waits until every key has begun: they run at once.
                firstOfEachKey.withLock { $0 += 1 }
                _ = try await finishing(within: 30) {
                    while firstOfEachKey.withLock({ $0 }) < Self.keys.count { await Task.yield() }
                }
            }
            handled.withLock { $0[message.keyText ?? "", default: []].append(sequence) }
        }
        await pipeline.handle(all)

        #expect(firstOfEachKey.withLock { $0 } == Self.keys.count && running.withLock { $0.most } >= Self.keys.count)
        let order = handled.withLock { $0 }
        for key in Self.keys {
            #expect(order[key] == (0..<10).filter { key != Self.keys[1] || $0 != 4 }, "\(key): in offset order, the poison left out")
        }
        let dlq = try await fixture.store.pendingOutbox(limit: 100).filter { $0.message.topic == Topic.deadLetter.rawValue }
        #expect(dlq.count == 1, "only the poison message went to the DLQ")
    }

    @Test func eventsForSagasAreAppliedTogetherAndThePoisonAloneGoesToTheDLQ() async throws {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let requests = (0..<40).map { "req-\($0)" }
        for id in requests { try await fixture.engine.start(type: "await", id: id, partitionKey: id, data: [:]) }
        try await fixture.engine.runDueWork()
        let producer = try MessagingFixture.producer(on: cluster)
        // Ten replies per key; the third of the second key is poison, and the last message
        // repeats the first (a redelivery).
        var sent: [KafkaProducerMessage] = []
        for (index, request) in requests.enumerated() {
            let key = Self.keys[index % Self.keys.count]
            let poison = key == Self.keys[1] && index / Self.keys.count == 2
            let value =
                poison
                ? #"{"eventId":"bad","eventType":"scheduling.availability"}"#
                : MessagingFixture.availabilityJSON(eventID: "e-\(index)", requestID: request)
            sent.append(KafkaProducerMessage(topic: topic, key: Array(key.utf8), value: Array(value.utf8)))
        }
        sent.append(sent[0])
        for result in await producer.send(sent) { _ = try result.get() }

        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "saga-batches", topics: [topic])
        afterTest { await consumer.close() }
        var batch: [KafkaMessage] = []
        while batch.count < sent.count {
            let more = await consumer.next(upTo: 100)
            try #require(!more.isEmpty)
            batch += more
        }
        let commitsBefore = fixture.store.committedTransactions
        let pipeline = InboundPipeline(consumer: consumer, store: fixture.store, engine: fixture.engine) { message in
            let envelope = try fixture.decoder.availability(message.value)
            return InboundEvent(
                messageID: envelope.eventId, topic: message.topic, type: envelope.eventType, correlation: envelope.data.requestId,
                payload: try JSONValue.encoding(envelope.data))
        }
        await pipeline.handle(batch)

        let poisoned = requests[1 + 2 * Self.keys.count]
        for request in requests {
            let status = try await fixture.store.instance(id: request)?.status
            #expect(status == (request == poisoned ? .waiting : .completed), "\(request)")
        }
        let dlq = try await fixture.store.pendingOutbox(limit: 100).filter { $0.message.topic == Topic.deadLetter.rawValue }
        #expect(dlq.count == 1, "only the poison message went to the DLQ")
        for (index, request) in requests.enumerated() where request != poisoned {
            #expect(try await fixture.store.hasProcessed(messageID: "e-\(index)"))
        }
        // Order per key: the poison's key stored what came before it, then its DLQ record,
        // then what came after it (the inbox's row ids are its insertion order).
        let poisonedKey = Self.keys[1]
        let keyed = requests.indices.filter { Self.keys[$0 % Self.keys.count] == poisonedKey }
        let rowIDs = try await fixture.store.read { db in
            try keyed.map { index in
                index == 1 + 2 * Self.keys.count
                    ? try Int64.fetchOne(db, sql: "SELECT rowid FROM inbox WHERE message_id LIKE 'kafka:%'")
                    : try Int64.fetchOne(db, sql: "SELECT rowid FROM inbox WHERE message_id = ?", arguments: ["e-\(index)"])
            }
        }
        #expect(rowIDs.allSatisfy { $0 != nil } && rowIDs == rowIDs.sorted { ($0 ?? 0) < ($1 ?? 0) }, "\(rowIDs)")
        // The batch path: the 32 messages before each key's poison or end share one commit;
        // the seven after the poison, the poison's DLQ record and nothing else are written one
        // at a time.
        #expect(fixture.store.committedTransactions - commitsBefore == 1 + 8)
    }

    @Test func shutdownLetsTheBatchInHandCommitBeforeTheConsumerCloses() async throws {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let producer = try MessagingFixture.producer(on: cluster)
        for value in ["m0", "m1"] {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("cand-1".utf8), value: Array(value.utf8)))
        }
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "graceful", topics: [topic])
        let gate = Mutex((entered: false, released: false, handled: [String]()))
        let pipeline = InboundPipeline(consumer: consumer, store: fixture.store) { message in
            gate.withLock { $0.entered = true }
            while !gate.withLock({ $0.released }) { try await Task.sleep(for: .milliseconds(1)) }
            gate.withLock { $0.handled.append(String(decoding: message.value, as: UTF8.self)) }
        }
        let running = Task { await pipeline.run() }
        #expect(try await eventually(60) { gate.withLock { $0.entered } }, "a batch is in hand")
        let stopping = Task { await pipeline.shutdown(patience: .seconds(60)) }
        // A shutdown that closed the consumer at once would do it in this pause; the correct one
        // passes whatever its length.
        try await Task.sleep(for: .milliseconds(200))
        gate.withLock { $0.released = true }
        await stopping.value
        await running.value

        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("cand-1".utf8), value: Array("m2".utf8)))
        let successor = try KafkaConsumer(configuration: cluster.configuration, groupID: "graceful", topics: [topic])
        afterTest { await successor.close() }
        let next = try #require(await finishing(within: 60) { await successor.next() } ?? nil)
        // m1 may have come in a second batch, which a stopping pipeline leaves alone.
        let handled = gate.withLock { $0.handled }
        #expect(handled == ["m0"] || handled == ["m0", "m1"])
        #expect(
            String(decoding: next.value, as: UTF8.self) == (handled.count == 2 ? "m2" : "m1"),
            "what was handled was committed before the consumer closed, and nothing else")
    }

    /// A batch that cannot settle (here a saga that keeps moving, retried for as long as that
    /// lasts) is stopped when the shutdown's patience runs out: `run()` ends, and the message,
    /// not committed, comes again.
    @Test func shutdownStopsABatchThatCannotSettleWhenPatienceRunsOut() async throws {
        let (cluster, fixture) = try await MessagingFixture.withCluster()
        let producer = try MessagingFixture.producer(on: cluster)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("cand-1".utf8), value: Array("m0".utf8)))
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "impatient", topics: [topic])
        let attempts = Atomic(0)
        let pipeline = InboundPipeline(
            consumer: consumer, store: fixture.store,
            retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(50))
        ) { _ in
            attempts.add(1, ordering: .relaxed)
            throw StaleSagaWrite(sagaID: "moving", expectedVersion: 1)
        }
        let running = Task { await pipeline.run() }
        #expect(try await eventually(60) { attempts.load(ordering: .relaxed) > 3 }, "retried past maxAttempts: the input is fine")
        await pipeline.shutdown(patience: .milliseconds(500))
        // run() awaits the batch's task: its end means the batch is no longer tried.
        #expect(try await finishing(within: 60) { await running.value } != nil, "run() ends once the batch is stopped")

        let successor = try KafkaConsumer(configuration: cluster.configuration, groupID: "impatient", topics: [topic])
        afterTest { await successor.close() }
        let next = try #require(await finishing(within: 60) { await successor.next() } ?? nil)
        #expect(String(decoding: next.value, as: UTF8.self) == "m0", "nothing of the stopped batch was committed")
        #expect(try await fixture.store.outboxBacklog() == 0, "nor dead-lettered")
    }

    @Test func theCommitStopsAtTheFirstMessageOfEachPartitionThatDidNotSettle() {
        func message(_ partition: Int32, _ offset: Int64) -> KafkaMessage {
            KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: [])
        }
        let batch = [message(0, 10), message(1, 5), message(0, 11), message(1, 6), message(0, 12), message(1, 7)]
        let settled = [true, true, false, true, true, true]
        let committable = InboundPipeline.settledPrefixes(of: batch, settled: settled).map { "\($0.partition):\($0.offset)" }
        #expect(committable == ["0:10", "1:5", "1:6", "1:7"], "partition 0 stops before 11, though 12 settled")
    }
}
