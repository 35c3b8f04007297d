import Foundation
package import Logging
package import PostgresNIO
package import SchedulingCore

/// The interview tables in a PostgreSQL database that several instances share, with the
/// rules of the SQLite tables: an interview is stored once per id and per request (`ON
/// CONFLICT DO NOTHING`, which two instances inserting at once both pass without an error),
/// the first owner and the first use of an idempotency key stand.
package struct PostgresInterviewTables: InterviewTables {
    package typealias Transaction = PostgresConnection

    let logger: Logger

    package init(logger: Logger = Logger(label: "interview-tables")) {
        self.logger = logger
    }

    static let interviewColumns =
        #"id, request_id, candidate_id, owner, start, "end", status, sequence, invite_request, invite_cancel, bookings, created_at, candidate_response"#

    package func insert(_ interview: InterviewRecord, in connection: PostgresConnection) async throws {
        let bookings = try InterviewRecords.bookingsText(interview.bookings)
        try await connection.query(
            """
            INSERT INTO interview (id, request_id, candidate_id, owner, start, "end", status, sequence, invite_request, invite_cancel, bookings, created_at)
            VALUES (\(interview.id), \(interview.requestID), \(interview.candidateID), \(interview.owner), \(interview.slot.start.secondsSinceEpoch),
                \(interview.slot.end.secondsSinceEpoch), \(interview.status.rawValue), \(Int32(clamping: interview.sequence)),
                \(interview.inviteRequest), \(interview.inviteCancel), \(bookings), \(interview.createdAt))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    package func cancel(id: String, cancelInvite: String, in connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE interview SET status = 'cancelled', invite_cancel = \(cancelInvite), sequence = sequence + 1
            WHERE id = \(id) AND status <> 'cancelled' RETURNING id
            """, logger: logger)
        var changed = false
        for try await _ in rows.decode(String.self) { changed = true }
        return changed
    }

    package func move(id: String, to slot: Interval, sequence: Int, invite: String, in connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE interview SET start = \(slot.start.secondsSinceEpoch), "end" = \(slot.end.secondsSinceEpoch),
                sequence = \(Int32(clamping: sequence)), invite_request = \(invite), candidate_response = 'needs-action'
            WHERE id = \(id) AND status = 'confirmed'
            """, logger: logger)
    }

    package func interview(id: String, in connection: PostgresConnection) async throws -> InterviewRecord? {
        try await interviews("SELECT \(unescaped: Self.interviewColumns) FROM interview WHERE id = \(id)", on: connection).first
    }

    package func interview(requestID: String, in connection: PostgresConnection) async throws -> InterviewRecord? {
        try await interviews("SELECT \(unescaped: Self.interviewColumns) FROM interview WHERE request_id = \(requestID)", on: connection).first
    }

    package func interviews(
        candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int, in connection: PostgresConnection
    ) async throws -> [InterviewRecord] {
        // One statement whatever the filters: a filter left out is a NULL that matches all.
        try await interviews(
            """
            SELECT \(unescaped: Self.interviewColumns) FROM interview
            WHERE (\(candidateID)::TEXT IS NULL OR candidate_id = \(candidateID))
                AND (\(from?.secondsSinceEpoch)::BIGINT IS NULL OR start >= \(from?.secondsSinceEpoch))
                AND (\(to?.secondsSinceEpoch)::BIGINT IS NULL OR start < \(to?.secondsSinceEpoch))
                AND (\(owner)::TEXT IS NULL OR owner = \(owner))
            ORDER BY start, id COLLATE "C" LIMIT \(Int64(limit))
            """, on: connection)
    }

    private func interviews(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [InterviewRecord] {
        var records: [InterviewRecord] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, requestID, candidateID, owner, start, end, status, sequence, inviteRequest, inviteCancel, bookings, createdAt, response)
            in rows.decode((String, String, String, String, Int64, Int64, String, Int, String, String?, String, Int64, String).self)
        {
            records.append(
                InterviewRecord(
                    id: id, requestID: requestID, candidateID: candidateID, owner: owner,
                    slot: Interval(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end)),
                    status: InterviewRecord.Status(rawValue: status) ?? .confirmed, sequence: sequence, inviteRequest: inviteRequest,
                    inviteCancel: inviteCancel, bookings: try InterviewRecords.bookings(fromText: bookings), createdAt: createdAt,
                    candidateResponse: CandidateResponse(rawValue: response) ?? .needsAction))
        }
        return records
    }

    package func recordOwner(of requestID: String, owner: String, in connection: PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO request_owner (request_id, owner) VALUES (\(requestID), \(owner)) ON CONFLICT DO NOTHING", logger: logger)
    }

    package func owner(ofRequest requestID: String, in connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query("SELECT owner FROM request_owner WHERE request_id = \(requestID)", logger: logger)
        for try await owner in rows.decode(String.self) { return owner }
        return nil
    }

    package func idempotentRequest(
        owner: String, key: String, in connection: PostgresConnection
    ) async throws -> InterviewRecords.IdempotentRequest? {
        let rows = try await connection.query(
            "SELECT body_hash, body FROM idempotency_key WHERE owner = \(owner) AND key = \(key)", logger: logger)
        for try await (fingerprint, body) in rows.decode((String, Data).self) {
            return InterviewRecords.IdempotentRequest(
                bodyFingerprint: fingerprint, requestID: try InterviewRecords.requestID(fromIdempotencyBody: body))
        }
        return nil
    }

    package func recordIdempotentRequest(
        _ request: InterviewRecords.IdempotentRequest, owner: String, key: String, at: Int64, in connection: PostgresConnection
    ) async throws {
        let body = try InterviewRecords.idempotencyBody(requestID: request.requestID)
        try await connection.query(
            """
            INSERT INTO idempotency_key (owner, key, body_hash, status, body, location, created_at)
            VALUES (\(owner), \(key), \(request.bodyFingerprint), 202, \(body), NULL, \(at))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    package func append(_ entry: AuditEntry, in connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (actor, action, target, detail, at)
            VALUES (\(entry.actor), \(entry.action), \(entry.target), \(entry.detail), \(entry.at))
            """, logger: logger)
    }

    package func auditLog(action: String, target: String?, limit: Int, in connection: PostgresConnection) async throws -> [AuditEntry] {
        try await auditEntries(
            """
            SELECT actor, action, target, detail, at FROM audit_log
            WHERE starts_with(action, \(action)) AND (\(target)::TEXT IS NULL OR target = \(target))
            ORDER BY id DESC LIMIT \(Int64(limit))
            """, on: connection)
    }

    package func auditLog(target: String, in connection: PostgresConnection) async throws -> [AuditEntry] {
        try await auditEntries("SELECT actor, action, target, detail, at FROM audit_log WHERE target = \(target) ORDER BY id", on: connection)
    }

    private func auditEntries(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (actor, action, target, detail, at) in rows.decode((String, String, String, String, Int64).self) {
            entries.append(AuditEntry(actor: actor, action: action, target: target, detail: detail, at: at))
        }
        return entries
    }
}
