package import Foundation
package import GRDB
package import SagaCore

extension SagaStore {
    static let instanceColumns = """
        id, type, definition_version, partition_key, status, step_index, attempt, last_succeeded_action, data,
        waiting_event, waiting_correlation, wake_at, last_error_kind, last_error_message, created_at, updated_at, version
        """

    /// Stores a new instance with its first log lines; returns false (and writes nothing)
    /// when an instance with that id exists already, so starting is idempotent.
    @discardableResult
    package func insert(_ transition: SagaTransition) async throws -> Bool {
        try await write { db in try Self.insert(transition, in: db) }
    }

    /// Stores a new instance inside a transaction the caller holds; false when the id exists.
    package static func insert(_ transition: SagaTransition, in db: Database) throws -> Bool {
        try db.execute(
            sql: "INSERT OR IGNORE INTO saga_instance (\(instanceColumns)) VALUES (\(placeholders(17)))",
            arguments: transition.instance.columnValues)
        guard db.changesCount == 1 else { return false }
        try append(transition, in: db)
        return true
    }

    /// The instance as stored, read inside a transaction the caller holds.
    package static func instance(id: String, in db: Database) throws -> SagaInstance? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(instanceColumns) FROM saga_instance WHERE id = ?"), arguments: [id])
            .map(SagaInstance.init(row:))
    }

    /// The id of an instance of `type` with `partitionKey` that has not settled yet, the oldest if several.
    package static func unsettledInstanceID(type: String, partitionKey: String, in db: Database) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT id FROM saga_instance WHERE type = ? AND partition_key = ? AND status NOT IN ('completed', 'compensated', 'failed')
                    ORDER BY created_at, id LIMIT 1
                    """),
            arguments: [type, partitionKey])
    }

    /// Stores `transition` if the instance is still at `transition.instance.version`;
    /// returns the stored instance (its version one higher).
    package func commit(_ transition: SagaTransition) async throws -> SagaInstance {
        try await write { db in try self.commit(transition, in: db) }
    }

    /// Stores a transition inside a transaction the caller holds.
    package func commit(_ transition: SagaTransition, in db: Database) throws -> SagaInstance {
        var stored = transition.instance
        let expected = stored.version
        stored.version += 1
        try db.cachedStatement(
            sql: """
                UPDATE saga_instance SET status = ?, step_index = ?, attempt = ?, last_succeeded_action = ?, data = ?,
                    waiting_event = ?, waiting_correlation = ?, wake_at = ?, last_error_kind = ?, last_error_message = ?,
                    updated_at = ?, version = ?
                WHERE id = ? AND version = ?
                """
        ).execute(binding: [
            .text(stored.status.rawValue), SQLArgument(stored.stepIndex), SQLArgument(stored.attempt), SQLArgument(stored.lastSucceededAction),
            .text(String(decoding: try JSONValue.object(stored.data).jsonText(), as: UTF8.self)),
            SQLArgument(stored.waitingFor?.event), SQLArgument(stored.waitingFor?.correlation), SQLArgument(stored.wakeAt?.milliseconds),
            SQLArgument(stored.lastError?.kind.rawValue), SQLArgument(stored.lastError?.message), .integer(stored.updatedAt.milliseconds),
            SQLArgument(stored.version), .text(stored.id), SQLArgument(expected),
        ])
        guard db.changesCount == 1 else { throw StaleSagaWrite(sagaID: stored.id, expectedVersion: expected) }
        try Self.append(transition, in: db)
        if stored.status.isSettled { try whenSettled?(stored, db) }
        return stored
    }

    private static func append(_ transition: SagaTransition, in db: Database) throws {
        try insertLog(transition.log, sagaCreatedAt: transition.instance.createdAt, in: db)
        for message in transition.messages {
            try insertOutbox(message, sagaID: transition.instance.id, at: transition.instance.updatedAt, in: db)
        }
    }

    package func instance(id: String) async throws -> SagaInstance? {
        try await read { db in try Self.instance(id: id, in: db) }
    }

    /// The ids of instances with work due at `now`, most overdue first. Only ids: the
    /// dispatcher calls this on every wake-up, and decoding each saga's data there would cost
    /// more than the work it finds.
    package func dueInstanceIDs(at now: Date, limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM saga_instance WHERE wake_at IS NOT NULL AND wake_at <= ? ORDER BY wake_at LIMIT ?"),
                arguments: [now.milliseconds, limit])
        }
    }

    /// When the next instance's work falls due, if any is scheduled.
    package func nextWakeAt() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(wake_at) FROM saga_instance WHERE wake_at IS NOT NULL")).map(
                Date.init(milliseconds:))
        }
    }

    /// The id of the instance waiting for `event` with `correlation`, if any.
    package func instanceWaiting(for event: String, correlation: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT id FROM saga_instance WHERE waiting_event = ? AND waiting_correlation = ? AND status = 'waiting' ORDER BY rowid LIMIT 1"
                ),
                arguments: [event, correlation])
        }
    }

    /// The instance waiting for `event` with `correlation`, if any, read inside a transaction
    /// the caller holds; where several wait for the same, the earliest stored.
    package static func instanceWaiting(for event: String, correlation: String, in db: Database) throws -> SagaInstance? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT \(instanceColumns) FROM saga_instance
                    WHERE waiting_event = ? AND waiting_correlation = ? AND status = 'waiting' ORDER BY rowid LIMIT 1
                    """),
            arguments: [event, correlation]
        ).map(SagaInstance.init(row:))
    }

    /// The instances waiting for `event` with each of `correlations`, by correlation, read
    /// inside a transaction the caller holds, one query per `idsPerQuery` correlations; where
    /// several wait for the same, the earliest stored, as `instanceWaiting(for:correlation:in:)`.
    package static func instancesWaiting(for event: String, correlations: [String], in db: Database) throws -> [String: SagaInstance] {
        var waiting: [String: SagaInstance] = [:]
        for chunk in inLists(correlations) {
            let statement = try db.makeStatement(
                sql: """
                    SELECT \(instanceColumns) FROM saga_instance
                    WHERE waiting_event = ? AND waiting_correlation IN (\(placeholders(chunk.count))) AND status = 'waiting'
                    ORDER BY waiting_correlation, rowid
                    """)
            for row in try Row.fetchAll(statement, arguments: StatementArguments([event] + chunk)) {
                let instance = try SagaInstance(row: row)
                guard let correlation = instance.waitingFor?.correlation, waiting[correlation] == nil else { continue }
                waiting[correlation] = instance
            }
        }
        return waiting
    }

    /// Instances, newest first, optionally filtered.
    package func instances(status: SagaStatus? = nil, type: String? = nil, limit: Int = 1000) async throws -> [SagaInstance] {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            if let type {
                conditions.append("type = ?")
                arguments += [type]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit]
            return try Row.fetchAll(
                db, sql: "SELECT \(Self.instanceColumns) FROM saga_instance \(filter) ORDER BY created_at DESC, id LIMIT ?", arguments: arguments
            )
            .map(SagaInstance.init(row:))
        }
    }

    /// How many instances are in each status.
    package func countsByStatus() async throws -> [SagaStatus: Int] {
        try await read { db in
            var counts: [SagaStatus: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT status, COUNT(*) AS n FROM saga_instance GROUP BY status")) {
                if let status = SagaStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    /// The `(type, definition version)` pairs that unsettled instances still run on.
    package func liveDefinitionVersions() async throws -> Set<DefinitionKey> {
        try await read { db in
            Set(
                try Row.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT DISTINCT type, definition_version FROM saga_instance WHERE status NOT IN ('completed', 'compensated', 'failed')")
                )
                .map { DefinitionKey(name: $0["type"], version: $0["definition_version"]) })
        }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// `values` without repeats, in lists of at most `idsPerQuery`, one `IN (…)` each: well
    /// under SQLite's limit on a statement's variables. Such statements are made afresh, not
    /// cached: a cache would keep one per list length, per connection.
    static func inLists(_ values: [String]) -> [[String]] {
        var seen = Set<String>()
        let distinct = values.filter { seen.insert($0).inserted }
        return stride(from: 0, to: distinct.count, by: idsPerQuery).map { Array(distinct[$0..<min($0 + idsPerQuery, distinct.count)]) }
    }

    package static let idsPerQuery = 500
}
