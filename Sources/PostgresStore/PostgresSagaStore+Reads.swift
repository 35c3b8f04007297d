import Foundation
package import Logging
package import PostgresNIO
package import SagaCore

/// Reads inside a transaction the caller holds, for the application's checks beside a saga's
/// start or an operator's command; and the whole step log, for showing a saga.
extension PostgresSagaStore {
    /// The instance as stored, read on `connection`.
    package static func instance(id: String, on connection: PostgresConnection, logger: Logger) async throws -> SagaInstance? {
        let rows = try await connection.query(
            "SELECT \(unescaped: instanceColumns) FROM saga_instance WHERE id = \(id)", logger: logger
        ).collect()
        return try rows.first.map(SagaInstance.init(row:))
    }

    /// The id of an instance of `type` with `partitionKey` that has not settled yet, the oldest if several.
    package static func unsettledInstanceID(
        type: String, partitionKey: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> String? {
        let rows = try await connection.query(
            """
            SELECT id FROM saga_instance WHERE type = \(type) AND partition_key = \(partitionKey)
                AND status NOT IN ('completed', 'compensated', 'failed')
            ORDER BY created_at, id LIMIT 1
            """, logger: logger
        ).collect()
        return try rows.first?.decode(String.self)
    }

    /// Takes a transaction-scoped lock on `key`, so that transactions that change what `key`
    /// names (an interview, a candidate) on any instance run one after another.
    package static func lock(_ key: String, on connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(applicationLockSpace), hashtext(\(key)))", logger: logger).collect()
    }

    /// The first key of the application's advisory locks ("app").
    static let applicationLockSpace: Int32 = 0x61_7070

    /// The saga's log, oldest first.
    package func stepLog(sagaID: String) async throws -> [StepLogRecord] {
        try await database.transaction { connection in try await Self.stepLog(sagaID: sagaID, on: connection, logger: database.logger) }
    }

    /// The saga's log, oldest first, read on `connection`.
    package static func stepLog(sagaID: String, on connection: PostgresConnection, logger: Logger) async throws -> [StepLogRecord] {
        var records: [StepLogRecord] = []
        let rows = try await connection.query(
            """
            SELECT saga_id, step, phase, attempt, outcome, at, error_kind, message, actor FROM saga_step_log
            WHERE saga_id = \(sagaID) ORDER BY id
            """, logger: logger)
        for try await (saga, step, phase, attempt, outcome, at, errorKind, message, actor) in rows.decode(
            (String, String?, String, Int, String, Int64, String?, String?, String).self)
        {
            records.append(
                StepLogRecord(
                    sagaID: saga, step: step, phase: StepLogRecord.Phase(rawValue: phase) ?? .saga, attempt: attempt,
                    outcome: StepLogRecord.Outcome(rawValue: outcome) ?? .failed, at: Date(milliseconds: at),
                    errorKind: errorKind.flatMap(StepFailure.Kind.init(rawValue:)), message: message, actor: actor))
        }
        return records
    }
}
