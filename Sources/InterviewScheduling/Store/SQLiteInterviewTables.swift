package import GRDB
package import SchedulingCore

/// The interview tables in the service's SQLite file: `InterviewRecords`' statements behind
/// the `InterviewTables` port. The calls are synchronous, for GRDB's transaction closures.
package struct SQLiteInterviewTables: InterviewTables {
    package typealias Transaction = Database

    package init() {}

    package func insert(_ interview: InterviewRecord, in db: Database) throws {
        try InterviewRecords.insert(interview, in: db)
    }

    package func cancel(id: String, cancelInvite: String, in db: Database) throws -> Bool {
        try InterviewRecords.cancel(id: id, cancelInvite: cancelInvite, in: db)
    }

    package func move(id: String, to slot: Interval, sequence: Int, invite: String, in db: Database) throws {
        try InterviewRecords.move(id: id, to: slot, sequence: sequence, invite: invite, in: db)
    }

    package func interview(id: String, in db: Database) throws -> InterviewRecord? {
        try InterviewRecords.interview(id: id, in: db)
    }

    package func interview(requestID: String, in db: Database) throws -> InterviewRecord? {
        try InterviewRecords.interview(requestID: requestID, in: db)
    }

    package func interviews(
        candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int, in db: Database
    ) throws -> [InterviewRecord] {
        try InterviewRecords.interviews(candidateID: candidateID, from: from, to: to, owner: owner, limit: limit, in: db)
    }

    package func recordOwner(of requestID: String, owner: String, in db: Database) throws {
        try InterviewRecords.recordOwner(of: requestID, owner: owner, in: db)
    }

    package func owner(ofRequest requestID: String, in db: Database) throws -> String? {
        try InterviewRecords.owner(ofRequest: requestID, in: db)
    }

    package func idempotentRequest(owner: String, key: String, in db: Database) throws -> InterviewRecords.IdempotentRequest? {
        try InterviewRecords.idempotentRequest(owner: owner, key: key, in: db)
    }

    package func recordIdempotentRequest(
        _ request: InterviewRecords.IdempotentRequest, owner: String, key: String, at: Int64, in db: Database
    ) throws {
        try InterviewRecords.recordIdempotentRequest(request, owner: owner, key: key, at: at, in: db)
    }

    package func append(_ entry: AuditEntry, in db: Database) throws {
        try InterviewRecords.append(entry, in: db)
    }

    package func auditLog(action: String, target: String?, limit: Int, in db: Database) throws -> [AuditEntry] {
        try InterviewRecords.auditLog(action: action, target: target, limit: limit, in: db)
    }

    package func auditLog(target: String, in db: Database) throws -> [AuditEntry] {
        try InterviewRecords.auditLog(target: target, in: db)
    }
}
