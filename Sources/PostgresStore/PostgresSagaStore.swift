package import Foundation
import Logging
package import PostgresNIO
package import SagaCore

/// Durable saga state in a PostgreSQL database that several service instances share: the
/// same instances, step log, outbox and inbox as the SQLite store, with what sharing needs on
/// top: leases on saga work (`claimDueWork`), the version column as fencing token on every
/// write, and the inbox's primary key as the de-duplication between instances.
package final class PostgresSagaStore: Sendable {
    package let database: PostgresDatabase
    package let whenSettled: PostgresSettlementHook?

    /// Opens the store on `database`, migrating its schema first (once across instances):
    /// the saga tables, then `applicationSchema`, the tables of the application that shares
    /// the database and its transactions (as `SagaStore`'s `applicationSchema` does on SQLite).
    /// `whenSettled` runs inside every transaction that stores a transition to a settled
    /// state, as `SagaStore`'s does.
    ///
    /// With `migrating` false the schema is only checked, never changed (`PostgresMigrator.check`):
    /// for an operator's tools beside running instances.
    package init(
        database: PostgresDatabase, applicationSchema: [PostgresMigration] = [], whenSettled: PostgresSettlementHook? = nil,
        migrating: Bool = true
    ) async throws {
        self.database = database
        self.whenSettled = whenSettled
        if migrating {
            try await PostgresMigrator.migrate(database, PostgresSagaSchema.migrations + applicationSchema)
        } else {
            try await PostgresMigrator.check(database, PostgresSagaSchema.migrations + applicationSchema)
        }
    }

    package static let instanceColumns = """
        id, type, definition_version, partition_key, status, step_index, attempt, last_succeeded_action, data,
        waiting_event, waiting_correlation, wake_at, last_error_kind, last_error_message, created_at, updated_at, version
        """

    /// Stores a new instance with its first log lines and messages; false (and nothing
    /// written) when an instance with that id exists already.
    @discardableResult
    package func insert(_ transition: SagaTransition) async throws -> Bool {
        try await database.transaction { connection in try await Self.insert(transition, on: connection, logger: database.logger) }
    }

    package static func insert(_ transition: SagaTransition, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let instance = transition.instance
        let data = try instance.dataText()
        let inserted = try await connection.query(
            """
            INSERT INTO saga_instance (\(unescaped: instanceColumns)) VALUES (
                \(instance.id), \(instance.type), \(instance.definitionVersion), \(instance.partitionKey), \(instance.status.rawValue),
                \(instance.stepIndex), \(instance.attempt), \(instance.lastSucceededAction), \(data),
                \(instance.waitingFor?.event), \(instance.waitingFor?.correlation), \(instance.wakeAt?.milliseconds),
                \(instance.lastError?.kind.rawValue), \(instance.lastError?.message), \(instance.createdAt.milliseconds),
                \(instance.updatedAt.milliseconds), \(instance.version))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """, logger: logger
        ).collect()
        guard !inserted.isEmpty else { return false }
        try await append(transition, on: connection, logger: logger)
        return true
    }

    /// Stores `transition` if the instance is still at `transition.instance.version`; returns
    /// the stored instance (its version one higher). Throws `StaleSagaWrite` otherwise: another
    /// instance moved the saga (after taking over its lease), and this write must not land.
    package func commit(_ transition: SagaTransition) async throws -> SagaInstance {
        try await database.transaction { connection in
            try await Self.commit(transition, on: connection, logger: database.logger, whenSettled: whenSettled)
        }
    }

    package static func commit(
        _ transition: SagaTransition, on connection: PostgresConnection, logger: Logger, whenSettled: PostgresSettlementHook?
    ) async throws -> SagaInstance {
        var stored = transition.instance
        let expected = stored.version
        stored.version += 1
        let data = try stored.dataText()
        let updated = try await connection.query(
            """
            UPDATE saga_instance SET status = \(stored.status.rawValue), step_index = \(stored.stepIndex), attempt = \(stored.attempt),
                last_succeeded_action = \(stored.lastSucceededAction), data = \(data), waiting_event = \(stored.waitingFor?.event),
                waiting_correlation = \(stored.waitingFor?.correlation), wake_at = \(stored.wakeAt?.milliseconds),
                last_error_kind = \(stored.lastError?.kind.rawValue), last_error_message = \(stored.lastError?.message),
                updated_at = \(stored.updatedAt.milliseconds), version = \(stored.version)
            WHERE id = \(stored.id) AND version = \(expected)
            RETURNING id
            """, logger: logger
        ).collect()
        guard !updated.isEmpty else { throw StaleSagaWrite(sagaID: stored.id, expectedVersion: expected) }
        try await append(transition, on: connection, logger: logger)
        if stored.status.isSettled { try await whenSettled?(stored, connection) }
        return stored
    }

    private static func append(_ transition: SagaTransition, on connection: PostgresConnection, logger: Logger) async throws {
        for record in transition.log {
            try await connection.query(
                """
                INSERT INTO saga_step_log (saga_id, step, phase, attempt, outcome, at, error_kind, message, actor)
                VALUES (\(record.sagaID), \(record.step), \(record.phase.rawValue), \(record.attempt), \(record.outcome.rawValue),
                    \(record.at.milliseconds), \(record.errorKind?.rawValue), \(record.message), \(record.actor))
                """, logger: logger)
        }
        try await insertOutbox(transition.messages, sagaID: transition.instance.id, at: transition.instance.updatedAt, on: connection, logger: logger)
    }

    /// The instance as stored.
    package func instance(id: String) async throws -> SagaInstance? {
        let rows = try await database.query("SELECT \(unescaped: Self.instanceColumns) FROM saga_instance WHERE id = \(id)").collect()
        return try rows.first.map(SagaInstance.init(row:))
    }

    /// The ids of instances with work due at `now` that no live lease covers, most overdue first.
    package func dueInstanceIDs(at now: Date, limit: Int) async throws -> [String] {
        var ids: [String] = []
        let rows = try await database.query(
            """
            SELECT id FROM saga_instance
            WHERE wake_at IS NOT NULL AND wake_at <= \(now.milliseconds) AND (lease_until IS NULL OR lease_until <= \(now.milliseconds))
            ORDER BY wake_at LIMIT \(limit)
            """)
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// When the next instance's work can be claimed, as seen at `now`: its wake-up, or the end
    /// of the lease that covers it, whichever is later. Two index reads: the earliest wake-up
    /// no live lease covers, and among the (few) leased sagas the earliest claimable.
    package func nextClaimableAt(now: Date) async throws -> Date? {
        let rows = try await database.query(
            """
            SELECT LEAST(
                (SELECT MIN(wake_at) FROM saga_instance
                 WHERE wake_at IS NOT NULL AND (lease_until IS NULL OR lease_until <= \(now.milliseconds))),
                (SELECT MIN(GREATEST(wake_at, lease_until)) FROM saga_instance
                 WHERE wake_at IS NOT NULL AND lease_until > \(now.milliseconds)))
            """)
        for try await at in rows.decode(Int64?.self) { return at.map(Date.init(milliseconds:)) }
        return nil
    }

    /// The id of the instance waiting for `event` with `correlation`, if any.
    package func instanceWaiting(for event: String, correlation: String) async throws -> String? {
        let rows = try await database.query(
            """
            SELECT id FROM saga_instance
            WHERE waiting_event = \(event) AND waiting_correlation = \(correlation) AND status = 'waiting'
            """)
        for try await id in rows.decode(String.self) { return id }
        return nil
    }

    /// The `(type, definition version)` pairs that unsettled instances still run on.
    package func liveDefinitionVersions() async throws -> Set<DefinitionKey> {
        let rows = try await database.query(
            "SELECT DISTINCT type, definition_version FROM saga_instance WHERE status NOT IN ('completed', 'compensated', 'failed')")
        var keys = Set<DefinitionKey>()
        for try await (name, version) in rows.decode((String, Int).self) { keys.insert(DefinitionKey(name: name, version: version)) }
        return keys
    }

    /// The step log of one saga, oldest first, as `(step, phase, outcome)`.
    package func stepOutcomes(sagaID: String) async throws -> [(step: String?, phase: String, outcome: String)] {
        var outcomes: [(String?, String, String)] = []
        let rows = try await database.query("SELECT step, phase, outcome FROM saga_step_log WHERE saga_id = \(sagaID) ORDER BY id")
        for try await row in rows.decode((String?, String, String).self) { outcomes.append(row) }
        return outcomes
    }
}

extension SagaInstance {
    /// Reads an instance from a row of `PostgresSagaStore.instanceColumns`.
    package init(row: PostgresRow) throws {
        let columns = row.makeRandomAccess()
        let dataText = try columns[8].decode(String.self)
        guard case .object(let data) = try JSONValue(parsing: Data(dataText.utf8)) else {
            throw JSONSyntaxError(offset: 0, reason: "saga data must be a JSON object")
        }
        let id = try columns[0].decode(String.self)
        let statusText = try columns[4].decode(String.self)
        guard let status = SagaStatus(rawValue: statusText) else { throw StoredValueError("saga \(id) has unknown status \(statusText)") }
        let waitingEvent = try columns[9].decode(String?.self)
        let waitingCorrelation = try columns[10].decode(String?.self)
        let errorKind = try columns[12].decode(String?.self)
        let errorMessage = try columns[13].decode(String?.self)
        self.init(
            id: id, type: try columns[1].decode(String.self), definitionVersion: try columns[2].decode(Int.self),
            partitionKey: try columns[3].decode(String.self), status: status, stepIndex: try columns[5].decode(Int.self),
            attempt: try columns[6].decode(Int.self), lastSucceededAction: try columns[7].decode(Int.self), data: data,
            waitingFor: waitingEvent.flatMap { event in waitingCorrelation.map { AwaitedEvent(event: event, correlation: $0) } },
            wakeAt: try columns[11].decode(Int64?.self).map(Date.init(milliseconds:)),
            lastError: errorKind.flatMap(StepFailure.Kind.init(rawValue:)).map { StepFailure($0, errorMessage ?? "") },
            createdAt: Date(milliseconds: try columns[14].decode(Int64.self)), updatedAt: Date(milliseconds: try columns[15].decode(Int64.self)),
            version: try columns[16].decode(Int.self))
    }

    /// The saga data as stored: JSON text.
    func dataText() throws -> String {
        String(decoding: try JSONValue.object(data).jsonText(), as: UTF8.self)
    }
}

/// A stored row holds a value this build cannot read.
struct StoredValueError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// What an application does, inside the same transaction, when a saga settles (on SQLite,
/// `SettlementHook`).
package typealias PostgresSettlementHook = @Sendable (SagaInstance, PostgresConnection) async throws -> Void
