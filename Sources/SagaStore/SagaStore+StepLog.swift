import Foundation
package import GRDB
package import SagaCore

extension SagaStore {
    /// Every log line of `sagaID`, oldest first.
    package func stepLog(sagaID: String) async throws -> [StepLogRecord] {
        try await read { db in try Self.stepLog(sagaID: sagaID, in: db) }
    }

    /// The statement that reads one saga's log (its id the one argument).
    package static let stepLogQuery = "SELECT * FROM saga_step_log WHERE \(SagaSchema.logOfSaga) ORDER BY id"

    /// The saga's log, read inside a transaction the caller holds.
    package static func stepLog(sagaID: String, in db: Database) throws -> [StepLogRecord] {
        try Row.fetchAll(db, sql: stepLogQuery, arguments: [sagaID]).map { row in
            StepLogRecord(
                sagaID: row["saga_id"], step: row["step"],
                phase: StepLogRecord.Phase(rawValue: row["phase"]) ?? .saga, attempt: row["attempt"],
                outcome: StepLogRecord.Outcome(rawValue: row["outcome"]) ?? .failed, at: Date(milliseconds: row["at"]),
                errorKind: (row["error_kind"] as String?).flatMap(StepFailure.Kind.init(rawValue:)),
                message: row["message"], actor: row["actor"])
        }
    }

    /// Stores log lines of the saga created at `sagaCreatedAt` (which leads the log's index).
    static func insertLog(_ records: [StepLogRecord], sagaCreatedAt: Date, in db: Database) throws {
        guard !records.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO saga_step_log (saga_id, saga_created_at, step, phase, attempt, outcome, at, error_kind, message, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for record in records {
            try insert.execute(binding: [
                .text(record.sagaID), .integer(sagaCreatedAt.milliseconds), SQLArgument(record.step), .text(record.phase.rawValue),
                SQLArgument(record.attempt), .text(record.outcome.rawValue), .integer(record.at.milliseconds),
                SQLArgument(record.errorKind?.rawValue), SQLArgument(record.message), .text(record.actor),
            ])
        }
    }
}
