import Foundation
import GRDB
import SagaStore

/// The SQL of the inbound path and the relay, with fixed values: per batch, the snapshot's two
/// reads (which messages are in the inbox, which sagas wait), one write holding every
/// message's inbox row, saga update, two log lines and reply, then the relay's read of the
/// pending replies and its write marking them published. No decoding, no handlers, no Kafka:
/// what SQLite (through GRDB's prepared statements) costs for the path's guarantees.
///
/// The sagas `saga-<first>` … must be waiting for `scheduling.availability`, correlated by
/// their own ids (the benchmark's definition); they end completed, as the engine leaves them.
/// Replies still pending from earlier phases are marked published first, untimed, so that
/// the relay's statements handle this phase's replies only.
///
/// The statements run one after another on one thread. In the service the relay runs beside
/// the inbound path and reads do not wait for the writer, so on two cores only the writes
/// (SQLite takes one writer at a time) must follow one another: the result says how long
/// they took, the strict floor of the wall time.
struct SQLFloor {
    let store: SagaStore
    let first: Int
    let count: Int
    let batchSize: Int

    struct Result {
        var elapsed: Duration
        /// Of `elapsed`, the time spent in the two writes per batch.
        var writing: Duration
        var cpuSeconds: Double
    }

    func run() async throws -> Result {
        let backlog = try await store.read { db in try String.fetchAll(db, sql: "SELECT id FROM outbox WHERE published_at IS NULL") }
        try await store.markPublished(ids: backlog, at: Date())
        let clock = ContinuousClock()
        var writing = Duration.zero
        let started = clock.now
        let cpuStarted = processCPUSeconds()
        for batchStart in stride(from: first, to: first + count, by: batchSize) {
            let ids = (batchStart..<min(batchStart + batchSize, first + count)).map { "saga-\($0)" }
            let waiting = try await store.read { db in try Self.snapshot(of: ids, in: db) }
            guard waiting.count == ids.count else { throw FloorError(description: "\(ids.count - waiting.count) sagas were not waiting") }
            writing += try await clock.measure { try await store.write { db in try Self.record(ids, waiting: waiting, in: db) } }
            let pending = try await store.read { db in try Self.pendingReplies(in: db) }
            guard pending.count == ids.count else { throw FloorError(description: "\(pending.count) replies pending, \(ids.count) expected") }
            writing += try await clock.measure { try await store.markPublished(ids: pending, at: Date()) }
        }
        return Result(elapsed: clock.now - started, writing: writing, cpuSeconds: processCPUSeconds() - cpuStarted)
    }

    /// A waiting saga as the write needs it.
    struct Waiting {
        var version: Int64
        var createdAt: Int64
    }

    /// The inbox lookup and the waiting sagas, as `deliver(batch:lanes:)` reads them, by id.
    private static func snapshot(of ids: [String], in db: Database) throws -> [String: Waiting] {
        let seen = try SagaStore.processed(ids.map { "floor-\($0)" }, in: db)
        guard seen.isEmpty else { throw FloorError(description: "\(seen.count) messages were in the inbox already") }
        var waiting: [String: Waiting] = [:]
        // The engine's own query (`SagaStore.instancesWaiting`), read as rows: that function
        // also decodes each saga, which is the engine's work, not SQLite's.
        let list = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let rows = try Row.fetchCursor(
            db.makeStatement(
                sql: """
                    SELECT id, type, definition_version, partition_key, status, step_index, attempt, last_succeeded_action, data,
                        waiting_event, waiting_correlation, wake_at, last_error_kind, last_error_message, created_at, updated_at, version
                    FROM saga_instance
                    WHERE waiting_event = ? AND waiting_correlation IN (\(list)) AND status = 'waiting'
                    ORDER BY waiting_correlation, rowid
                    """),
            arguments: StatementArguments(["scheduling.availability"] + ids))
        while let row = try rows.next() { waiting[row[0]] = Waiting(version: row[16], createdAt: row[14]) }
        return waiting
    }

    /// Each message's inbox row, its saga's update (completed), two log lines and its reply.
    private static func record(_ ids: [String], waiting: [String: Waiting], in db: Database) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let inbox = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO inbox (message_id, topic, received_at, saga_id, outcome) VALUES (?, ?, ?, ?, ?)")
        let update = try db.cachedStatement(
            sql: """
                UPDATE saga_instance SET status = ?, step_index = ?, attempt = ?, last_succeeded_action = ?, data = ?,
                    waiting_event = ?, waiting_correlation = ?, wake_at = ?, last_error_kind = ?, last_error_message = ?,
                    updated_at = ?, version = ?
                WHERE id = ? AND version = ?
                """)
        let log = try db.cachedStatement(
            sql: """
                INSERT INTO saga_step_log (saga_id, saga_created_at, step, phase, attempt, outcome, at, error_kind, message, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let outbox = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO outbox (id, saga_id, topic, key, headers, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for id in ids {
            guard let saga = waiting[id] else { continue }
            try inbox.execute(binding: [
                .text("floor-\(id)"), .text("enginedge.interview.scheduling.availability"), .integer(now), .text(id), .text("applied"),
            ])
            try update.execute(binding: [
                .text("completed"), .integer(0), .integer(0), .integer(0), .text("{}"), .null, .null, .null, .null, .null, .integer(now),
                .integer(saga.version + 1), .text(id), .integer(saga.version),
            ])
            guard db.changesCount == 1 else { throw FloorError(description: "saga \(id) moved meanwhile") }
            for (step, phase, outcome, message): (SQLArgument, String, String, SQLArgument) in [
                (.text("ask"), "wait", "eventApplied", .text("wait complete")), (.null, "saga", "completed", .null),
            ] {
                try log.execute(binding: [
                    .text(id), .integer(saga.createdAt), step, .text(phase), .integer(0), .text(outcome), .integer(now), .null, message,
                    .text("engine"),
                ])
            }
            try outbox.execute(binding: [
                .text("floor-reply-\(id)"), .text(id), .text("bench.out"), .text(id), .text("{}"), .blob(Data("0".utf8)), .integer(now),
            ])
        }
    }

    /// The relay's read: every column of the oldest pending messages.
    private static func pendingReplies(in db: Database) throws -> [String] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT * FROM outbox WHERE published_at IS NULL ORDER BY sequence LIMIT ?"), arguments: [500])
        var ids: [String] = []
        while let row = try rows.next() {
            let id: String = row["id"]
            let payload: Data = row["payload"]
            guard id.hasPrefix("floor-reply-"), !payload.isEmpty else { throw FloorError(description: "\(id) is not a reply of this phase") }
            ids.append(id)
        }
        return ids
    }
}

struct FloorError: Error, CustomStringConvertible {
    let description: String
}
