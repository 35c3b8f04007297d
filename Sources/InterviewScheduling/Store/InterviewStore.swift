import Foundation
import GRDB

/// The service's own records next to the saga state: interviews with their invitations,
/// the API's idempotency keys, and the audit log of state-changing calls.
public final class InterviewStore: Sendable {
    let database: DatabasePool

    /// One booked (or cancelled) interview.
    public struct Interview: Codable, Hashable, Sendable {
        public var id: String
        public var requestID: String
        public var candidateID: String
        public var owner: String
        public var start: Int64
        public var end: Int64
        public var status: String
        public var sequence: Int
        public var inviteRequest: String
        public var inviteCancel: String?
        public var bookings: String
        public var createdAt: Int64
    }

    /// One state-changing call.
    public struct AuditEntry: Codable, Hashable, Sendable {
        public var actor: String
        public var action: String
        public var target: String
        public var detail: String
        public var at: Int64

        public init(actor: String, action: String, target: String, detail: String, at: Int64) {
            self.actor = actor
            self.action = action
            self.target = target
            self.detail = detail
            self.at = at
        }
    }

    /// A stored answer to a POST with an `Idempotency-Key`.
    public struct IdempotentResponse: Hashable, Sendable {
        public var bodyHash: String
        public var status: Int
        public var body: Data
        public var location: String?

        public init(bodyHash: String, status: Int, body: Data, location: String?) {
            self.bodyHash = bodyHash
            self.status = status
            self.body = body
            self.location = location
        }
    }

    public init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: interviews, idempotency keys, audit log") { db in
            try db.execute(sql: """
                CREATE TABLE interview (
                    id TEXT PRIMARY KEY NOT NULL,
                    request_id TEXT NOT NULL UNIQUE,
                    candidate_id TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    invite_request TEXT NOT NULL,
                    invite_cancel TEXT,
                    bookings TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX interview_candidate ON interview(candidate_id, start);
                CREATE TABLE request_owner (
                    request_id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL
                );
                CREATE TABLE idempotency_key (
                    owner TEXT NOT NULL,
                    key TEXT NOT NULL,
                    body_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    location TEXT,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (owner, key)
                );
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                """)
        }
        try migrator.migrate(database)
    }

    // MARK: Interviews

    /// Stores the interview unless it exists (a repeated step after a crash).
    public func insertInterview(_ interview: Interview) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO interview (id, request_id, candidate_id, owner, start, "end", status, sequence, invite_request, invite_cancel, bookings, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [interview.id, interview.requestID, interview.candidateID, interview.owner, interview.start, interview.end, interview.status,
                            interview.sequence, interview.inviteRequest, interview.inviteCancel, interview.bookings, interview.createdAt])
        }
    }

    /// Marks the interview cancelled with its CANCEL invitation.
    public func cancelInterview(id: String, cancelInvite: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE interview SET status = 'cancelled', invite_cancel = ?, sequence = sequence + 1 WHERE id = ? AND status != 'cancelled'",
                           arguments: [cancelInvite, id])
        }
    }

    /// Moves the interview to a new time with its new invitation (a higher SEQUENCE).
    public func reschedule(id: String, start: Int64, end: Int64, sequence: Int, invite: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE interview SET start = ?, \"end\" = ?, sequence = ?, invite_request = ? WHERE id = ? AND status = 'confirmed'",
                           arguments: [start, end, sequence, invite, id])
        }
    }

    public func interview(id: String) async throws -> Interview? {
        try await database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM interview WHERE id = ?", arguments: [id]).map(Self.interview) }
    }

    public func interview(requestID: String) async throws -> Interview? {
        try await database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM interview WHERE request_id = ?", arguments: [requestID]).map(Self.interview) }
    }

    /// Interviews of a candidate (or all), starting within [from, to), for `owner` unless nil (admin).
    public func interviews(candidateID: String?, from: Int64?, to: Int64?, owner: String?, limit: Int = 500) async throws -> [Interview] {
        try await database.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let candidateID { conditions.append("candidate_id = ?"); arguments.append(candidateID) }
            if let from { conditions.append("start >= ?"); arguments.append(from) }
            if let to { conditions.append("start < ?"); arguments.append(to) }
            if let owner { conditions.append("owner = ?"); arguments.append(owner) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM interview \(filter) ORDER BY start LIMIT \(limit)", arguments: StatementArguments(arguments) ?? [])
                .map(Self.interview)
        }
    }

    static func interview(_ row: Row) -> Interview {
        Interview(id: row["id"], requestID: row["request_id"], candidateID: row["candidate_id"], owner: row["owner"], start: row["start"], end: row["end"],
                  status: row["status"], sequence: row["sequence"], inviteRequest: row["invite_request"], inviteCancel: row["invite_cancel"],
                  bookings: row["bookings"], createdAt: row["created_at"])
    }

    // MARK: Requests, idempotency, audit

    /// Records who made a request; with the audit entry and the idempotent answer, in one transaction.
    public func recordAccepted(requestID: String, owner: String, audit: AuditEntry, idempotencyKey: String?, response: IdempotentResponse) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO request_owner (request_id, owner) VALUES (?, ?)", arguments: [requestID, owner])
            try Self.append(audit, in: db)
            if let idempotencyKey {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO idempotency_key (owner, key, body_hash, status, body, location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [owner, idempotencyKey, response.bodyHash, response.status, response.body, response.location, audit.at])
            }
        }
    }

    public func owner(ofRequest requestID: String) async throws -> String? {
        try await database.read { db in try String.fetchOne(db, sql: "SELECT owner FROM request_owner WHERE request_id = ?", arguments: [requestID]) }
    }

    public func idempotentResponse(owner: String, key: String) async throws -> IdempotentResponse? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM idempotency_key WHERE owner = ? AND key = ?", arguments: [owner, key]).map {
                IdempotentResponse(bodyHash: $0["body_hash"], status: $0["status"], body: $0["body"], location: $0["location"])
            }
        }
    }

    public func audit(_ entry: AuditEntry) async throws {
        try await database.write { db in try Self.append(entry, in: db) }
    }

    public func auditLog(target: String) async throws -> [AuditEntry] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE target = ? ORDER BY id", arguments: [target]).map {
                AuditEntry(actor: $0["actor"], action: $0["action"], target: $0["target"], detail: $0["detail"], at: $0["at"])
            }
        }
    }

    static func append(_ entry: AuditEntry, in db: Database) throws {
        try db.execute(sql: "INSERT INTO audit_log (actor, action, target, detail, at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [entry.actor, entry.action, entry.target, entry.detail, entry.at])
    }

    /// Whether the database answers, for `/health/ready`.
    public func isReachable() async -> Bool {
        (try? await database.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}
