import Foundation
import Logging
import PostgresNIO
import PostgresStore
import SagaCore
import SchedulingCore

/// The candidate's traces in a PostgreSQL database, and rewriting them for an erasure: the
/// same reads and writes as `CandidateRecords` on SQLite.
struct PostgresCandidateRecords {
    let tables: PostgresInterviewTables
    let mail: PostgresMailOutbox
    let logger: Logger

    /// Everything the database holds of the candidate, read on `connection`.
    func traces(ofCandidate candidateID: String, on connection: PostgresConnection) async throws -> CandidateTraces {
        let erasures = try await instances(type: InterviewSagaKind.erasure.rawValue, partitionKey: candidateID, on: connection)
        let requests = try await instances(type: InterviewSagaKind.scheduling.rawValue, partitionKey: candidateID, on: connection)
        var sagas: [SagaInstance] = []
        var interviews: [InterviewRecord] = []
        var entries: [MailOutbox.Entry] = []
        for request in requests {
            sagas.append(request)
            sagas += try await descendants(of: request.id, on: connection)
            if let interview = try await tables.interview(requestID: request.id, in: connection) { interviews.append(interview) }
            entries += try await mail.entries(ofInterview: InterviewIDs.interview(forRequest: request.id), in: connection)
        }
        return CandidateTraces(erasures: erasures, requests: requests, sagas: sagas, interviews: interviews, mail: entries)
    }

    /// Instances of `type` with `partitionKey`, oldest first.
    private func instances(type: String, partitionKey: String, on connection: PostgresConnection) async throws -> [SagaInstance] {
        try await connection.query(
            """
            SELECT \(unescaped: PostgresSagaStore.instanceColumns) FROM saga_instance
            WHERE type = \(type) AND partition_key = \(partitionKey) ORDER BY created_at, id
            """, logger: logger
        ).collect().map(SagaInstance.init(row:))
    }

    /// The instances whose id extends `root`'s (`<root>:…`), oldest first.
    private func descendants(of root: String, on connection: PostgresConnection) async throws -> [SagaInstance] {
        try await connection.query(
            """
            SELECT \(unescaped: PostgresSagaStore.instanceColumns) FROM saga_instance
            WHERE starts_with(id, \(root + ":")) ORDER BY created_at, id
            """, logger: logger
        ).collect().map(SagaInstance.init(row:))
    }

    /// Removes the candidate from the interview tables as `CandidateRecords.erase` does on
    /// SQLite; returns how many interviews were touched.
    func erase(
        requests requestIDs: [String], sagas sagaIDs: [String], with redactions: [Redaction], on connection: PostgresConnection
    )
        async throws -> Int
    {
        var interviews = 0
        for requestID in requestIDs {
            interviews += try await connection.query(
                "UPDATE interview SET invite_request = '', invite_cancel = NULL WHERE request_id = \(requestID) RETURNING id", logger: logger
            ).collect().count
            try await connection.query(
                "DELETE FROM mail_outbox WHERE interview_id = \(InterviewIDs.interview(forRequest: requestID))", logger: logger)
            // The idempotent answer names the request id as a JSON string.
            let named = try JSONValue.string(requestID).jsonText()
            try await connection.query("DELETE FROM idempotency_key WHERE position(\(named) IN body) > 0", logger: logger)
        }
        let targets = Array(Set(requestIDs + requestIDs.map(InterviewIDs.interview(forRequest:)) + sagaIDs))
        let rows = try await connection.query("SELECT id, detail FROM audit_log WHERE target = ANY(\(targets)) ORDER BY id", logger: logger).collect()
        for row in rows {
            let (id, detail) = try row.decode((Int64, String).self)
            try await connection.query("UPDATE audit_log SET detail = \(redactions.reduce(detail) { $1.text($0) }) WHERE id = \(id)", logger: logger)
        }
        return interviews
    }
}
