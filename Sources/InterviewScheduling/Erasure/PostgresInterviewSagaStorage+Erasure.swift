import Foundation
import PostgresNIO
import PostgresStore
package import SagaCore

/// The erasure on PostgreSQL. Its transaction first locks the candidate, as a new request of
/// theirs does (`StartCheck.serializingKeys`), so that no instance starts one in between.
///
/// PostgreSQL keeps an updated row's old version in the table until a `VACUUM` frees it:
/// `purgeErasedBytes` runs one on the tables the erasure rewrote. A version that a
/// transaction open at that moment may still see stays until the next (autovacuum's);
/// the write-ahead log and base backups hold the old values until they are recycled, and
/// freed space is overwritten only when reused. `VACUUM FULL` in a maintenance window
/// rewrites the files.
extension PostgresInterviewSagaStorage: CandidateErasureStorage {
    var candidateRecords: PostgresCandidateRecords { PostgresCandidateRecords(tables: tables, mail: mail, logger: store.database.logger) }

    package func traces(ofCandidate candidateID: String) async throws -> CandidateTraces {
        try await store.database.transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: store.database.logger)
            return try await candidateRecords.traces(ofCandidate: candidateID, on: connection)
        }
    }

    package func decision(
        erasingCandidate candidateID: String, then outcome: @escaping @Sendable (ErasureCounts) throws -> (StepOutcome, AuditEntry)
    ) -> Decision {
        { [candidateRecords, tables] connection in
            let logger = candidateRecords.logger
            try await PostgresSagaStore.lock("candidate:\(candidateID)", on: connection, logger: logger)
            let traces = try await candidateRecords.traces(ofCandidate: candidateID, on: connection)
            guard traces.unsettledSagas.isEmpty else { throw CandidateStillBusy.failure() }
            let redactions = traces.redactions
            let sagas = try await PostgresSagaStore.rewrite(
                sagas: traces.sagaIDs, on: connection, logger: logger, data: { value in redactions.reduce(value) { $1.json($0) } },
                text: { text in redactions.reduce(text) { $1.text($0) } },
                payload: { payload in redactions.reduce(payload) { $1.jsonText($0) } })
            let interviews = try await candidateRecords.erase(requests: traces.requestIDs, sagas: traces.sagaIDs, with: redactions, on: connection)
            let (stepOutcome, audit) = try outcome(ErasureCounts(requests: traces.requests.count, sagas: sagas, interviews: interviews))
            try await tables.append(audit, in: connection)
            return stepOutcome
        }
    }

    /// The `VACUUM` may take at most 20 s (inside the step's timeout); one that takes longer
    /// is given up, and autovacuum frees the old versions later: the rows themselves are
    /// rewritten already, so the erasure goes on.
    package func purgeErasedBytes() async throws -> Bool {
        let logger = store.database.logger
        try await store.database.withConnection { connection in
            try await connection.query("SET statement_timeout = '20s'", logger: logger)
            do {
                try await connection.query(
                    "VACUUM saga_instance, saga_step_log, outbox, interview, mail_outbox, idempotency_key, audit_log", logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "57014" {
                logger.warning("VACUUM after an erasure took over 20 s and was stopped; autovacuum will free the old row versions")
            }
            try await connection.query("RESET statement_timeout", logger: logger)
        }
        return true
    }
}
