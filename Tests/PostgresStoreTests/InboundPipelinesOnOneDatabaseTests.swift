import Events
import Foundation
import Kafka
import Logging
import Messaging
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
import SchedulerTestScopes
import SchedulerTesting
import Testing
import _ConnectionPoolModule

/// Kafka's inbound pipeline on instances that share one PostgreSQL database, through the
/// development cluster (librdkafka's mock brokers).
@Suite("PostgreSQL: inbound pipelines of several instances", .runsAfterTestWork)
struct InboundPipelinesOnOneDatabaseTests {
    static let topic = "replies"

    /// Each instance consumes every message (two consumer groups), at the same time: each
    /// reply is applied once, a repeated message is recognised, and the poison message is
    /// dead-lettered once, whichever instance stores it first. A saga waits for two replies and
    /// gets one, so a reply applied twice would end its wait.
    @Test(.timeLimit(.minutes(3))) func twoInstancesGivenTheSameMessagesApplyEachOnce() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }
        let fixture = try await EngineOnBackend.open(.postgres, engines: 2)
        defer { fixture.close() }
        let ids = (0..<8).map { "s\($0)" }
        for id in ids { try await fixture.engine.start(type: "booking", id: id, partitionKey: id, data: [:]) }
        try await fixture.engine.runDueWork()

        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        var sent: [KafkaProducerMessage] = []
        for id in ids {
            let value = #"{"eventId":"\#(id)-r0","sagaId":"\#(id)"}"#
            sent.append(KafkaProducerMessage(topic: Self.topic, key: Array(id.utf8), value: Array(value.utf8)))
        }
        sent.insert(KafkaProducerMessage(topic: Self.topic, key: Array("s3".utf8), value: Array(#"{"eventId":"bad"}"#.utf8)), at: 3)
        sent.append(sent[0])
        for result in await producer.send(sent) { _ = try result.get() }
        let count = sent.count

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, engine) in fixture.postgresEngines.enumerated() {
                let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "instance-\(index)", topics: [Self.topic])
                afterTest { await consumer.close() }
                let pipeline = InboundPipeline(consumer: consumer, store: engine.store.store, engine: engine, decode: Self.decode)
                group.addTask {
                    var batch: [KafkaMessage] = []
                    while batch.count < count {
                        let more = await consumer.next(upTo: 100)
                        try #require(!more.isEmpty)
                        batch += more
                    }
                    await pipeline.handle(batch)
                }
            }
            try await group.waitForAll()
        }
        try await fixture.engine.runDueWork()

        for id in ids {
            let instance = try #require(try await fixture.engine.storedInstance(id))
            #expect(instance.status == .waiting, "\(id)")
            #expect(instance.data["replies"] == .number(1), "\(id)")
        }
        let dlq = try await fixture.engine.pendingOutboxIDs().filter { $0.hasPrefix("dlq:") }
        #expect(dlq.count == 1, "dead-lettered \(dlq.count) times")
        for id in ids {
            let applied = try await fixture.engine.outcomes(id).filter { $0 == "wait:book:eventApplied" }
            #expect(applied.count == 1, "\(id): \(applied.count) replies applied")
        }
    }

    /// A reply as this test writes it: `eventId` and `sagaId`, else a rejection.
    static let decode: SagaEventRoute.Decode = { message in
        let value = try JSONValue(parsing: Data(message.value))
        guard case .string(let eventID)? = value["eventId"], case .string(let sagaID)? = value["sagaId"] else {
            throw EventRejection(.schemaViolation, field: "sagaId", "a reply names its eventId and sagaId")
        }
        return EngineOnBackend.reply(sagaID, id: eventID)
    }
}

/// How the PostgreSQL store tells the pipeline that the database is away (retry until it is
/// back) from a statement it refused (the message goes to the DLQ after its retries). The
/// server raises each error class here itself; terminating a live connection instead was
/// tried and dropped: postgres-nio 1.33.2 sometimes leaves the transaction on it unanswered.
@Suite("PostgreSQL: unavailable or refused")
struct PostgresUnavailabilityTests {
    /// What the store makes of the error the server raises with `state`.
    static func classify(_ state: String, on store: PostgresSagaStore) async throws -> Bool {
        do {
            try await store.database.transaction { connection in
                _ = try await connection.query(
                    "DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '\(unescaped: state)'; END $$", logger: Logger(label: "test"))
            }
        } catch {
            return store.isUnavailable(error)
        }
        Issue.record("the server raised nothing for \(state)")
        return false
    }

    @Test func transientServerStatesAndThePoolsOwnErrorsAreUnavailableAndRefusalsAreNot() async throws {
        let database = try PostgresStore.PostgresDatabase(url: try await PostgresTestServer.shared().newDatabase())
        defer { database.close() }
        let store = try await PostgresSagaStore(database: database)
        // Shutting down, starting up, a dropped connection, a failover's read-only standby,
        // too many connections, a serialization failure, a deadlock.
        for state in ["57P01", "57P03", "08006", "25006", "53300", "40001", "40P01"] {
            #expect(try await Self.classify(state, on: store), "\(state)")
        }
        // A missing table, a duplicate key, a check violation, bad input, a statement timeout.
        for state in ["42P01", "23505", "23514", "22P02", "57014"] {
            #expect(try await !Self.classify(state, on: store), "\(state)")
        }
        #expect(store.isUnavailable(ConnectionPoolError.connectionCreationCircuitBreakerTripped))
        #expect(store.isUnavailable(DeadlineExceeded(limit: .seconds(10))))
    }
}
