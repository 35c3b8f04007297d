import Foundation
import GRDB
import SagaCore
import SagaStore
import SchedulerTesting
import Testing

@Suite("Saga store over SQLite")
struct SagaStoreTests {
    static let definition = SagaDefinition(
        name: "booking", version: 1,
        steps: [StepDefinition(name: "book", action: "calendars.book", compensation: "calendars.cancel", retry: .once, timeout: .seconds(5))],
        stuckAfter: .seconds(300))

    static func started(_ id: String, at now: Date = Date(timeIntervalSince1970: 1_000)) -> SagaTransition {
        SagaMachine(definition: definition).start(id: id, partitionKey: "cand-1", data: ["note": "x"], now: now)
    }

    @Test func startingAnIdTwiceStoresItOnce() async throws {
        try await withScratchStore { store in
            #expect(try await store.insert(Self.started("s-1")))
            #expect(try await store.insert(Self.started("s-1", at: Date(timeIntervalSince1970: 2_000))) == false)
            let stored = try #require(try await store.instance(id: "s-1"))
            #expect(stored.createdAt == Date(timeIntervalSince1970: 1_000), "the first start is kept")
            #expect(try await store.stepLog(sagaID: "s-1").count == 1)
        }
    }

    @Test func aWriteNamingAnOldVersionIsRefusedAndLeavesNothing() async throws {
        try await withScratchStore { store in
            let start = Self.started("s-1")
            try await store.insert(start)
            let machine = SagaMachine(definition: Self.definition)
            let begun = try await store.commit(
                machine.begin(.action(step: 0, attempt: 1, idempotencyKey: "s-1:book"), on: start.instance, now: Date(timeIntervalSince1970: 1_001)))
            #expect(begun.version == 1)
            let stale = machine.begin(
                .action(step: 0, attempt: 1, idempotencyKey: "s-1:book"), on: start.instance, now: Date(timeIntervalSince1970: 1_002))
            let refusal = await #expect(throws: StaleSagaWrite.self) { try await store.commit(stale) }
            #expect(refusal?.expectedVersion == 0)
            #expect(try await store.stepLog(sagaID: "s-1").count == 2, "the refused write added no log line")
        }
    }

    @Test func aTransitionsMessagesAreWrittenOnceEvenWhenRepeated() async throws {
        try await withScratchStore { store in
            let message = OutboxMessage(id: "s-1:booked", topic: "interview.created", key: "cand-1", payload: Data("{}".utf8))
            try await store.enqueue(message, sagaID: "s-1", at: Date(timeIntervalSince1970: 1_000))
            try await store.enqueue(message, sagaID: "s-1", at: Date(timeIntervalSince1970: 1_001))
            #expect(try await store.outbox(sagaID: "s-1").map(\.message) == [message])
            #expect(try await store.outboxBacklog() == 1)
            try await store.markPublished(ids: ["s-1:booked"], at: Date(timeIntervalSince1970: 1_002))
            #expect(try await store.pendingOutbox(limit: 10).isEmpty)
        }
    }

    /// The application's tables are created after the saga tables, in the same file, and a
    /// write can span both.
    @Test func anApplicationsTablesShareTheFileAndItsTransactions() async throws {
        let directory = try TemporaryDirectory(prefix: "saga-store")
        defer { directory.remove() }
        let schema = [ApplicationMigration("notes v1") { db in try db.execute(sql: "CREATE TABLE note (saga_id TEXT NOT NULL UNIQUE)") }]
        let store = try SagaStore(path: directory.path("sagas.sqlite"), applicationSchema: schema)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.write { db in
                _ = try SagaStore.insert(Self.started("s-1"), in: db)
                try db.execute(sql: "INSERT INTO note VALUES ('s-1')")
                throw Refused()
            }
        }
        #expect(try await store.instance(id: "s-1") == nil, "the failed write rolled back the saga with the note")
        try await store.write { db in
            _ = try SagaStore.insert(Self.started("s-1"), in: db)
            try db.execute(sql: "INSERT INTO note VALUES ('s-1')")
        }
        #expect(try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM note") } == 1)
        // Reopened with the same schema: nothing to migrate, nothing lost.
        let reopened = try SagaStore(path: directory.path("sagas.sqlite"), applicationSchema: schema)
        #expect(try await reopened.instance(id: "s-1") != nil)
    }

    /// Concurrent writes share commits, each in its own savepoint: one that fails is rolled
    /// back alone, and every other is stored.
    @Test func aFailingWriteInASharedCommitLosesOnlyItself() async throws {
        try await withScratchStore { store in
            struct Refused: Error {}
            let results = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            try await store.write { db in
                                _ = try SagaStore.insert(Self.started("s-\(index)"), in: db)
                                if index % 10 == 7 { throw Refused() }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0 }.count == 4)
            let stored = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM saga_instance") }
            #expect(stored == 36)
            for index in [7, 17, 27, 37] { #expect(try await store.instance(id: "s-\(index)") == nil) }
        }
    }

    /// Before migration v2, an abort was stored as a permanent failure whose message began
    /// "aborted by"; it reads back as an abort.
    @Test func abortsStoredByEarlierVersionsReadBackAsAborts() async throws {
        let directory = try TemporaryDirectory(prefix: "saga-store")
        defer { directory.remove() }
        let path = directory.path("sagas.sqlite")
        let old = try Self.version1Database(at: path)
        try await old.write { db in
            for (id, message) in [("aborted", "aborted by carol: withdrew"), ("failed", "no slot fits everyone")] {
                try db.execute(
                    sql: """
                        INSERT INTO saga_instance VALUES (?, 'booking', 1, 'cand-1', 'compensated', 0, 1, -1, '{}', NULL, NULL, NULL, 'permanent', ?, 0, 0, 3)
                        """,
                    arguments: [id, message])
            }
        }
        try old.close()
        let store = try SagaStore(path: path)
        #expect(try await store.instance(id: "aborted")?.wasAborted == true)
        #expect(try await store.instance(id: "failed")?.lastError?.kind == .permanent)
    }

    /// The log lines stored before migration v3 (indexed by saga id) read back in order, the
    /// saga's own first, with the lines written after it; reads go through the new index.
    @Test func stepLogsStoredByEarlierVersionsReadBackThroughTheNewIndex() async throws {
        let directory = try TemporaryDirectory(prefix: "saga-store")
        defer { directory.remove() }
        let path = directory.path("sagas.sqlite")
        let old = try Self.version1Database(at: path)
        try await old.write { db in
            for (id, createdAt) in [("older", 1_000), ("newer", 2_000)] {
                try db.execute(
                    sql:
                        "INSERT INTO saga_instance VALUES (?, 'booking', 1, 'cand-1', 'running', 0, 1, -1, '{}', NULL, NULL, NULL, NULL, NULL, ?, ?, 1)",
                    arguments: [id, createdAt, createdAt])
            }
            for (saga, step) in [("newer", "n1"), ("older", "o1"), ("lost", "l1"), ("newer", "n2"), ("older", "o2")] {
                try db.execute(
                    sql:
                        "INSERT INTO saga_step_log (saga_id, step, phase, attempt, outcome, at, actor) VALUES (?, ?, 'action', 1, 'started', 5, 'w')",
                    arguments: [saga, step])
            }
        }
        try old.close()
        let store = try SagaStore(path: path)
        #expect(try await store.stepLog(sagaID: "older").map(\.step) == ["o1", "o2"])
        #expect(try await store.stepLog(sagaID: "newer").map(\.step) == ["n1", "n2"])
        #expect(try await store.stepLog(sagaID: "lost").map(\.step) == ["l1"], "a line whose saga is gone stays readable")
        #expect(try await store.insert(Self.started("newest", at: Date(timeIntervalSince1970: 3))))
        #expect(try await store.stepLog(sagaID: "newest").map(\.phase) == [.saga])
        // A version before v3 writes lines without the column: they are still found.
        try await store.write { db in
            try db.execute(
                sql:
                    "INSERT INTO saga_step_log (saga_id, step, phase, attempt, outcome, at, actor) VALUES ('older', 'o3', 'action', 1, 'started', 6, 'w')"
            )
        }
        #expect(try await store.stepLog(sagaID: "older").map(\.step) == ["o1", "o2", "o3"])
        let plan = try await store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(SagaStore.stepLogQuery)", arguments: ["newest"])
                .map { $0["detail"] as String }.joined(separator: "; ")
        }
        #expect(plan.contains("saga_step_log_by_saga_age"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
    }

    /// A database as version 1 of the schema made it.
    static func version1Database(at path: String) throws -> DatabaseQueue {
        let old = try DatabaseQueue(path: path)
        var v1 = DatabaseMigrator()
        v1.registerMigration("v1: saga instances, step log, outbox, inbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE saga_instance (
                        id TEXT PRIMARY KEY NOT NULL, type TEXT NOT NULL, definition_version INTEGER NOT NULL, partition_key TEXT NOT NULL,
                        status TEXT NOT NULL, step_index INTEGER NOT NULL, attempt INTEGER NOT NULL, last_succeeded_action INTEGER NOT NULL,
                        data TEXT NOT NULL, waiting_event TEXT, waiting_correlation TEXT, wake_at INTEGER, last_error_kind TEXT,
                        last_error_message TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL);
                    CREATE TABLE saga_step_log (id INTEGER PRIMARY KEY AUTOINCREMENT, saga_id TEXT NOT NULL, step TEXT, phase TEXT NOT NULL,
                        attempt INTEGER NOT NULL, outcome TEXT NOT NULL, at INTEGER NOT NULL, error_kind TEXT, message TEXT, actor TEXT NOT NULL);
                    CREATE INDEX saga_step_log_saga ON saga_step_log(saga_id, id);
                    CREATE TABLE outbox (sequence INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, saga_id TEXT, topic TEXT NOT NULL,
                        key TEXT NOT NULL, headers TEXT NOT NULL, payload BLOB NOT NULL, created_at INTEGER NOT NULL, published_at INTEGER,
                        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
                    CREATE TABLE inbox (message_id TEXT PRIMARY KEY NOT NULL, topic TEXT NOT NULL, received_at INTEGER NOT NULL, saga_id TEXT, outcome TEXT NOT NULL);
                    """)
        }
        try v1.migrate(old)
        return old
    }
}
