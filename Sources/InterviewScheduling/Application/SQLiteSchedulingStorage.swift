import Foundation
import GRDB
package import SagaCore
package import SagaEngine
package import SagaStore
package import SchedulingCore

/// The use cases' storage in the service's SQLite file: one writer, so a start's checks and
/// writes are simply one GRDB transaction.
package struct SQLiteSchedulingStorage: SchedulingStorage {
    package let engine: SagaEngine<SagaStore>
    var store: SagaStore { engine.store }
    let tables = SQLiteInterviewTables()

    package init(engine: SagaEngine<SagaStore>) {
        self.engine = engine
    }

    package func idempotentRequest(owner: String, key: String) async throws -> InterviewRecords.IdempotentRequest? {
        try await store.read { [tables] db in try tables.idempotentRequest(owner: owner, key: key, in: db) }
    }

    package func instance(id: String) async throws -> SagaInstance? {
        try await store.instance(id: id)
    }

    package func interview(id: String) async throws -> InterviewRecord? {
        try await store.read { [tables] db in try tables.interview(id: id, in: db) }
    }

    package func requestView(_ requestID: String) async throws -> RequestView? {
        try await store.read { [tables] db in
            guard let instance = try SagaStore.instance(id: requestID, in: db) else { return nil }
            return RequestView(
                instance: instance, owner: try tables.owner(ofRequest: requestID, in: db),
                interview: try tables.interview(requestID: requestID, in: db),
                log: try SagaStore.stepLog(sagaID: requestID, in: db),
                invitation: try InvitationDelivery.latest(ofInterview: InterviewIDs.interview(forRequest: requestID), in: db))
        }
    }

    package func invitationDelivery(ofInterview interviewID: String) async throws -> InvitationDelivery? {
        try await store.read { db in try InvitationDelivery.latest(ofInterview: interviewID, in: db) }
    }

    package func interviews(candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int) async throws -> [InterviewRecord] {
        try await store.read { [tables] db in
            try tables.interviews(candidateID: candidateID, from: from, to: to, owner: owner, limit: limit, in: db)
        }
    }

    package func auditLog(target: String) async throws -> [AuditEntry] {
        try await store.read { [tables] db in try tables.auditLog(target: target, in: db) }
    }

    package func candidateTraces(_ candidateID: String) async throws -> CandidateTraces {
        try await store.read { db in try CandidateRecords.traces(ofCandidate: candidateID, in: db) }
    }

    package func candidateInterview(_ interviewID: String) async throws -> CandidateInterviewView? {
        try await store.read { [tables] db in
            guard let interview = try tables.interview(id: interviewID, in: db), let request = try SagaStore.instance(id: interview.requestID, in: db)
            else { return nil }
            return CandidateInterviewView(interview: interview, request: request, rescheduling: try Self.isRescheduling(interviewID, in: db))
        }
    }

    package func recordCandidateAnswer(_ answer: CandidateAnswer) async throws -> Bool {
        try await store.write { [tables] db in
            let changes =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT candidate_response_changes FROM interview WHERE id = ?"), arguments: [answer.interviewID]) ?? 0
            guard let record = try answer.record(on: try tables.interview(id: answer.interviewID, in: db), changes: changes) else { return false }
            try db.cachedStatement(
                sql: "UPDATE interview SET candidate_response = ?, candidate_response_changes = candidate_response_changes + 1 WHERE id = ?"
            ).execute(arguments: [answer.response.rawValue, answer.interviewID])
            try SagaStore.insertOutbox(record.message, sagaID: record.requestID, at: answer.at, in: db)
            try tables.append(record.audit, in: db)
            return true
        }
    }

    package func isReachable() async -> Bool {
        (try? await store.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }) == 1
    }

    package func start(_ start: SagaStart) async throws {
        try await engine.start(
            type: start.type, id: start.id, partitionKey: start.partitionKey, data: start.data,
            checking: { [tables] db in try start.check.verdict(try Self.facts(for: start.check, tables: tables, in: db)) },
            recording: { [tables] db in try Self.apply(start.writes, tables: tables, in: db) })
    }

    package func abort(id: String, by actor: String, reason: String, writes: [ApplicationWrite]) async throws {
        try await engine.abort(id: id, by: actor, reason: reason) { [tables] db in try Self.apply(writes, tables: tables, in: db) }
    }

    static func apply(_ writes: [ApplicationWrite], tables: SQLiteInterviewTables, in db: Database) throws {
        for write in writes {
            switch write {
            case .owner(let requestID, let owner): try tables.recordOwner(of: requestID, owner: owner, in: db)
            case .audit(let entry): try tables.append(entry, in: db)
            case .idempotentRequest(let request, let owner, let key, let at):
                try tables.recordIdempotentRequest(request, owner: owner, key: key, at: at, in: db)
            }
        }
    }

    static func facts(for check: StartCheck, tables: SQLiteInterviewTables, in db: Database) throws -> StartFacts {
        var facts = StartFacts()
        switch check {
        case .newRequest(let candidate, let owner, let key, _):
            facts.runningErasure = try SagaStore.unsettledInstanceID(type: InterviewSagaKind.erasure.rawValue, partitionKey: candidate, in: db)
            if let key { facts.earlierRequest = try tables.idempotentRequest(owner: owner, key: key, in: db) }
        case .cancellation(_, let requestID, _, let interviewID, let cancellationID):
            facts.request = try SagaStore.instance(id: requestID, in: db)
            facts.interview = try tables.interview(id: interviewID, in: db)
            facts.cancellation = try SagaStore.instance(id: cancellationID, in: db)
            facts.rescheduling = try Self.isRescheduling(interviewID, in: db)
        case .reschedule(_, let requestID, _, let interviewID, let cancellationID, _, _):
            facts.request = try SagaStore.instance(id: requestID, in: db)
            facts.rescheduling = try Self.isRescheduling(interviewID, in: db)
            facts.cancellation = try SagaStore.instance(id: cancellationID, in: db)
            facts.interview = try tables.interview(id: interviewID, in: db)
        case .erasure(let candidate):
            facts.runningErasure = try SagaStore.unsettledInstanceID(type: InterviewSagaKind.erasure.rawValue, partitionKey: candidate, in: db)
        }
        return facts
    }

    /// Whether a reschedule of the interview has not settled.
    static func isRescheduling(_ interviewID: String, in db: Database) throws -> Bool {
        try SagaStore.unsettledInstanceID(type: InterviewSagaKind.rescheduling.rawValue, partitionKey: interviewID, in: db) != nil
    }
}
