import CalendarProviders
import Foundation
package import GRDB
package import SchedulingCore

/// Reads and writes of the interview tables, inside a transaction the caller holds: a use
/// case writes them together with its saga's start or transition.
package enum InterviewRecords {
    // MARK: Interviews

    /// Stores the interview unless it exists (a repeated step after a crash).
    package static func insert(_ interview: InterviewRecord, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO interview (id, request_id, candidate_id, owner, start, "end", status, sequence, invite_request, invite_cancel, bookings, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            interview.id, interview.requestID, interview.candidateID, interview.owner, interview.slot.start.secondsSinceEpoch,
            interview.slot.end.secondsSinceEpoch, interview.status.rawValue, interview.sequence, interview.inviteRequest, interview.inviteCancel,
            try bookingsText(interview.bookings), interview.createdAt,
        ])
    }

    /// Marks the interview cancelled with its CANCEL invitation; false when it was already.
    @discardableResult
    package static func cancel(id: String, cancelInvite: String, in db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: "UPDATE interview SET status = 'cancelled', invite_cancel = ?, sequence = sequence + 1 WHERE id = ? AND status != 'cancelled'"
        ).execute(arguments: [cancelInvite, id])
        return db.changesCount == 1
    }

    /// Moves a confirmed interview to a new time with its new invitation (a higher SEQUENCE);
    /// the candidate has not answered the new time yet.
    package static func move(id: String, to slot: Interval, sequence: Int, invite: String, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE interview SET start = ?, "end" = ?, sequence = ?, invite_request = ?, candidate_response = 'needs-action'
                WHERE id = ? AND status = 'confirmed'
                """
        ).execute(arguments: [slot.start.secondsSinceEpoch, slot.end.secondsSinceEpoch, sequence, invite, id])
    }

    package static func interview(id: String, in db: Database) throws -> InterviewRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM interview WHERE id = ?"), arguments: [id]).map(record)
    }

    package static func interview(requestID: String, in db: Database) throws -> InterviewRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM interview WHERE request_id = ?"), arguments: [requestID]).map(record)
    }

    /// Interviews of a candidate (or all) starting within [from, to), of `owner` unless nil.
    package static func interviews(
        candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int, in db: Database
    ) throws -> [InterviewRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let candidateID {
            conditions.append("candidate_id = ?")
            arguments += [candidateID]
        }
        if let from {
            conditions.append("start >= ?")
            arguments += [from.secondsSinceEpoch]
        }
        if let to {
            conditions.append("start < ?")
            arguments += [to.secondsSinceEpoch]
        }
        if let owner {
            conditions.append("owner = ?")
            arguments += [owner]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit]
        return try Row.fetchAll(db, sql: "SELECT * FROM interview \(filter) ORDER BY start, id LIMIT ?", arguments: arguments).map(record)
    }

    private static func record(_ row: Row) throws -> InterviewRecord {
        let bookings: String = row["bookings"]
        return InterviewRecord(
            id: row["id"], requestID: row["request_id"], candidateID: row["candidate_id"], owner: row["owner"],
            slot: Interval(start: Instant(secondsSinceEpoch: row["start"]), end: Instant(secondsSinceEpoch: row["end"])),
            status: InterviewRecord.Status(rawValue: row["status"]) ?? .confirmed, sequence: row["sequence"], inviteRequest: row["invite_request"],
            inviteCancel: row["invite_cancel"], bookings: try self.bookings(fromText: bookings),
            createdAt: row["created_at"], candidateResponse: CandidateResponse(rawValue: row["candidate_response"]) ?? .needsAction)
    }

    /// The `bookings` column's text (both backends): the events as JSON.
    static func bookingsText(_ bookings: [ProviderEventReference]) throws -> String {
        String(decoding: try JSONEncoder().encode(bookings), as: UTF8.self)
    }

    static func bookings(fromText text: String) throws -> [ProviderEventReference] {
        try JSONDecoder().decode([ProviderEventReference].self, from: Data(text.utf8))
    }

    // MARK: Owners, idempotency keys, audit

    package static func recordOwner(of requestID: String, owner: String, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO request_owner (request_id, owner) VALUES (?, ?)").execute(arguments: [requestID, owner])
    }

    package static func owner(ofRequest requestID: String, in db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT owner FROM request_owner WHERE request_id = ?"), arguments: [requestID])
    }

    /// What an `Idempotency-Key` was first used for: the body's fingerprint and the request it created.
    package struct IdempotentRequest: Hashable, Sendable {
        package var bodyFingerprint: String
        package var requestID: String

        package init(bodyFingerprint: String, requestID: String) {
            self.bodyFingerprint = bodyFingerprint
            self.requestID = requestID
        }
    }

    /// The answer stored under a key. Older rows hold the whole 202 body; its `requestId` is what is read back.
    package static func idempotentRequest(owner: String, key: String, in db: Database) throws -> IdempotentRequest? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT body_hash, body FROM idempotency_key WHERE owner = ? AND key = ?"), arguments: [owner, key])
        else {
            return nil
        }
        return IdempotentRequest(bodyFingerprint: row["body_hash"], requestID: try requestID(fromIdempotencyBody: row["body"]))
    }

    /// The `idempotency_key.body` column (both backends): `{"requestId": …}`; older SQLite
    /// rows hold the whole 202 body, whose `requestId` is what is read back.
    static func idempotencyBody(requestID: String) throws -> Data {
        try JSONEncoder().encode(["requestId": requestID])
    }

    static func requestID(fromIdempotencyBody body: Data) throws -> String {
        struct Stored: Decodable { var requestId: String }
        return try JSONDecoder().decode(Stored.self, from: body).requestId
    }

    package static func recordIdempotentRequest(_ request: IdempotentRequest, owner: String, key: String, at: Int64, in db: Database) throws {
        let body = try idempotencyBody(requestID: request.requestID)
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO idempotency_key (owner, key, body_hash, status, body, location, created_at) VALUES (?, ?, ?, 202, ?, NULL, ?)"
        ).execute(arguments: [owner, key, request.bodyFingerprint, body, at])
    }

    package static func append(_ entry: AuditEntry, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO audit_log (actor, action, target, detail, at) VALUES (?, ?, ?, ?, ?)").execute(arguments: [
            entry.actor, entry.action, entry.target, entry.detail, entry.at,
        ])
    }

    /// Audit rows, newest first: those whose action begins with `action` and, if given,
    /// whose target is `target`.
    package static func auditLog(action: String = "", target: String? = nil, limit: Int, in db: Database) throws -> [AuditEntry] {
        var sql = "SELECT * FROM audit_log WHERE substr(action, 1, ?) = ?"
        var arguments: StatementArguments = [action.unicodeScalars.count, action]
        if let target {
            sql += " AND target = ?"
            arguments += [target]
        }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(auditEntry)
    }

    /// The audit trail of one target, oldest first.
    package static func auditLog(target: String, in db: Database) throws -> [AuditEntry] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit_log WHERE target = ? ORDER BY id"), arguments: [target]).map(auditEntry)
    }

    private static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(actor: row["actor"], action: row["action"], target: row["target"], detail: row["detail"], at: row["at"])
    }
}
