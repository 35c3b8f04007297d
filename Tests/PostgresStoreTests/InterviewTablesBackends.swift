import Foundation
import GRDB
import InterviewScheduling
import PostgresNIO
import PostgresStore
import SagaStore
import SchedulerTesting
import SchedulingCore

/// The interview tables on either backend, each call in a transaction of its own, so that one
/// suite asserts the same of both. On PostgreSQL there are two instances (two connection pools
/// on one database), as two service processes would have; on SQLite one.
protocol InterviewTablesBackend: Sendable {
    var instances: Int { get }
    func insert(_ interview: InterviewRecord, instance: Int) async throws
    func cancel(id: String, cancelInvite: String) async throws -> Bool
    func move(id: String, to slot: Interval, sequence: Int, invite: String) async throws
    func interview(id: String) async throws -> InterviewRecord?
    func interview(requestID: String) async throws -> InterviewRecord?
    func interviews(candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int) async throws -> [InterviewRecord]
    func recordOwner(of requestID: String, owner: String, instance: Int) async throws
    func owner(ofRequest requestID: String) async throws -> String?
    func idempotentRequest(owner: String, key: String) async throws -> InterviewRecords.IdempotentRequest?
    func recordIdempotentRequest(_ request: InterviewRecords.IdempotentRequest, owner: String, key: String, instance: Int) async throws
    func append(_ entry: AuditEntry, instance: Int) async throws
    func auditLog(action: String, target: String?, limit: Int) async throws -> [AuditEntry]
    func auditLog(target: String) async throws -> [AuditEntry]
}

struct SQLiteInterviewTablesBackend: InterviewTablesBackend {
    let store: SagaStore
    let tables = SQLiteInterviewTables()
    var instances: Int { 1 }

    func insert(_ interview: InterviewRecord, instance: Int) async throws {
        try await store.write { [tables] db in try tables.insert(interview, in: db) }
    }

    func cancel(id: String, cancelInvite: String) async throws -> Bool {
        try await store.write { [tables] db in try tables.cancel(id: id, cancelInvite: cancelInvite, in: db) }
    }

    func move(id: String, to slot: Interval, sequence: Int, invite: String) async throws {
        try await store.write { [tables] db in try tables.move(id: id, to: slot, sequence: sequence, invite: invite, in: db) }
    }

    func interview(id: String) async throws -> InterviewRecord? {
        try await store.read { [tables] db in try tables.interview(id: id, in: db) }
    }

    func interview(requestID: String) async throws -> InterviewRecord? {
        try await store.read { [tables] db in try tables.interview(requestID: requestID, in: db) }
    }

    func interviews(candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int) async throws -> [InterviewRecord] {
        try await store.read { [tables] db in
            try tables.interviews(candidateID: candidateID, from: from, to: to, owner: owner, limit: limit, in: db)
        }
    }

    func recordOwner(of requestID: String, owner: String, instance: Int) async throws {
        try await store.write { [tables] db in try tables.recordOwner(of: requestID, owner: owner, in: db) }
    }

    func owner(ofRequest requestID: String) async throws -> String? {
        try await store.read { [tables] db in try tables.owner(ofRequest: requestID, in: db) }
    }

    func idempotentRequest(owner: String, key: String) async throws -> InterviewRecords.IdempotentRequest? {
        try await store.read { [tables] db in try tables.idempotentRequest(owner: owner, key: key, in: db) }
    }

    func recordIdempotentRequest(_ request: InterviewRecords.IdempotentRequest, owner: String, key: String, instance: Int) async throws {
        try await store.write { [tables] db in try tables.recordIdempotentRequest(request, owner: owner, key: key, at: 1, in: db) }
    }

    func append(_ entry: AuditEntry, instance: Int) async throws {
        try await store.write { [tables] db in try tables.append(entry, in: db) }
    }

    func auditLog(action: String, target: String?, limit: Int) async throws -> [AuditEntry] {
        try await store.read { [tables] db in try tables.auditLog(action: action, target: target, limit: limit, in: db) }
    }

    func auditLog(target: String) async throws -> [AuditEntry] {
        try await store.read { [tables] db in try tables.auditLog(target: target, in: db) }
    }
}

struct PostgresInterviewTablesBackend: InterviewTablesBackend {
    let stores: [PostgresSagaStore]
    let tables = PostgresInterviewTables()
    var instances: Int { stores.count }

    func transaction<T: Sendable>(instance: Int = 0, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await stores[instance].database.transaction(body)
    }

    func insert(_ interview: InterviewRecord, instance: Int) async throws {
        try await transaction(instance: instance) { try await tables.insert(interview, in: $0) }
    }

    func cancel(id: String, cancelInvite: String) async throws -> Bool {
        try await transaction { try await tables.cancel(id: id, cancelInvite: cancelInvite, in: $0) }
    }

    func move(id: String, to slot: Interval, sequence: Int, invite: String) async throws {
        try await transaction { try await tables.move(id: id, to: slot, sequence: sequence, invite: invite, in: $0) }
    }

    func interview(id: String) async throws -> InterviewRecord? {
        try await transaction { try await tables.interview(id: id, in: $0) }
    }

    func interview(requestID: String) async throws -> InterviewRecord? {
        try await transaction { try await tables.interview(requestID: requestID, in: $0) }
    }

    func interviews(candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int) async throws -> [InterviewRecord] {
        try await transaction { try await tables.interviews(candidateID: candidateID, from: from, to: to, owner: owner, limit: limit, in: $0) }
    }

    func recordOwner(of requestID: String, owner: String, instance: Int) async throws {
        try await transaction(instance: instance) { try await tables.recordOwner(of: requestID, owner: owner, in: $0) }
    }

    func owner(ofRequest requestID: String) async throws -> String? {
        try await transaction { try await tables.owner(ofRequest: requestID, in: $0) }
    }

    func idempotentRequest(owner: String, key: String) async throws -> InterviewRecords.IdempotentRequest? {
        try await transaction { try await tables.idempotentRequest(owner: owner, key: key, in: $0) }
    }

    func recordIdempotentRequest(_ request: InterviewRecords.IdempotentRequest, owner: String, key: String, instance: Int) async throws {
        try await transaction(instance: instance) { try await tables.recordIdempotentRequest(request, owner: owner, key: key, at: 1, in: $0) }
    }

    func append(_ entry: AuditEntry, instance: Int) async throws {
        try await transaction(instance: instance) { try await tables.append(entry, in: $0) }
    }

    func auditLog(action: String, target: String?, limit: Int) async throws -> [AuditEntry] {
        try await transaction { try await tables.auditLog(action: action, target: target, limit: limit, in: $0) }
    }

    func auditLog(target: String) async throws -> [AuditEntry] {
        try await transaction { try await tables.auditLog(target: target, in: $0) }
    }
}

extension Backend {
    /// The interview tables on a fresh database of this backend.
    func openInterviewTables() async throws -> (tables: any InterviewTablesBackend, close: @Sendable () -> Void) {
        let (tables, close) = try await openServiceDatabase(
            prefix: "interview-tables", sqlite: { SQLiteInterviewTablesBackend(store: $0) as any InterviewTablesBackend },
            postgres: { PostgresInterviewTablesBackend(stores: $0) })
        return (tables, close)
    }
}
