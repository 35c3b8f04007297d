import Foundation
import Logging
import PostgresNIO
package import PostgresStore
package import SagaCore
package import SagaEngine
package import SchedulingCore

/// The use cases' storage in a PostgreSQL database that several instances share. A start
/// first locks what its check names (`StartCheck.serializingKeys`: the interview, the
/// candidate, the idempotency key), so that two commands about one interview on two
/// instances run one after another, as SQLite's one writer runs them; then it checks, stores
/// the saga and writes, in one transaction.
package struct PostgresSchedulingStorage: SchedulingStorage {
    package let engine: SagaEngine<PostgresSagaWork>
    var store: PostgresSagaStore { engine.store.store }
    var logger: Logger { store.database.logger }
    let tables: PostgresInterviewTables
    let mail: PostgresMailOutbox

    package init(engine: SagaEngine<PostgresSagaWork>) {
        self.engine = engine
        tables = PostgresInterviewTables(logger: engine.store.store.database.logger)
        mail = PostgresMailOutbox(logger: engine.store.store.database.logger)
    }

    /// A read in a transaction of its own, given up after `defaultAnswerLimit` (an API call
    /// while the database is away answers an error instead of waiting for it).
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withDeadline(defaultAnswerLimit) { [store] in try await store.database.transaction(body) }
    }

    package func idempotentRequest(owner: String, key: String) async throws -> InterviewRecords.IdempotentRequest? {
        try await transaction { [tables] in try await tables.idempotentRequest(owner: owner, key: key, in: $0) }
    }

    package func instance(id: String) async throws -> SagaInstance? {
        try await withDeadline(defaultAnswerLimit) { [store] in try await store.instance(id: id) }
    }

    package func interview(id: String) async throws -> InterviewRecord? {
        try await transaction { [tables] in try await tables.interview(id: id, in: $0) }
    }

    /// In one transaction at REPEATABLE READ, so that every part is of one moment.
    package func requestView(_ requestID: String) async throws -> RequestView? {
        try await transaction { [tables, mail, logger] connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            guard let instance = try await PostgresSagaStore.instance(id: requestID, on: connection, logger: logger) else { return nil }
            return RequestView(
                instance: instance, owner: try await tables.owner(ofRequest: requestID, in: connection),
                interview: try await tables.interview(requestID: requestID, in: connection),
                log: try await PostgresSagaStore.stepLog(sagaID: requestID, on: connection, logger: logger),
                invitation: InvitationDelivery.latest(
                    of: try await mail.entries(ofInterview: InterviewIDs.interview(forRequest: requestID), in: connection)))
        }
    }

    package func invitationDelivery(ofInterview interviewID: String) async throws -> InvitationDelivery? {
        InvitationDelivery.latest(of: try await transaction { [mail] in try await mail.entries(ofInterview: interviewID, in: $0) })
    }

    package func interviews(candidateID: String?, from: Instant?, to: Instant?, owner: String?, limit: Int) async throws -> [InterviewRecord] {
        try await transaction { [tables] in
            try await tables.interviews(candidateID: candidateID, from: from, to: to, owner: owner, limit: limit, in: $0)
        }
    }

    package func auditLog(target: String) async throws -> [AuditEntry] {
        try await transaction { [tables] in try await tables.auditLog(target: target, in: $0) }
    }

    /// In one transaction at REPEATABLE READ, so that every part is of one moment.
    package func candidateTraces(_ candidateID: String) async throws -> CandidateTraces {
        try await transaction { [tables, mail, logger] connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            return try await PostgresCandidateRecords(tables: tables, mail: mail, logger: logger).traces(ofCandidate: candidateID, on: connection)
        }
    }

    package func candidateInterview(_ interviewID: String) async throws -> CandidateInterviewView? {
        try await transaction { [tables, logger] connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            guard let interview = try await tables.interview(id: interviewID, in: connection),
                let request = try await PostgresSagaStore.instance(id: interview.requestID, on: connection, logger: logger)
            else { return nil }
            return CandidateInterviewView(
                interview: interview, request: request, rescheduling: try await Self.isRescheduling(interviewID, on: connection, logger: logger))
        }
    }

    /// The interview's row is locked first: a reschedule that moves it (and resets the answer)
    /// commits before or after the answer, never in between its check and its write.
    package func recordCandidateAnswer(_ answer: CandidateAnswer) async throws -> Bool {
        try await Self.answeringBusy(about: answer.interviewID) { try await answerInOneTransaction(answer) }
    }

    private func answerInOneTransaction(_ answer: CandidateAnswer) async throws -> Bool {
        try await transaction { [tables, logger] connection in
            try await Self.boundWaits(on: connection, logger: logger)
            let locked = try await connection.query(
                "SELECT candidate_response_changes FROM interview WHERE id = \(answer.interviewID) FOR UPDATE", logger: logger
            ).collect()
            let changes = try locked.first?.decode(Int.self) ?? 0
            guard let record = try answer.record(on: try await tables.interview(id: answer.interviewID, in: connection), changes: changes) else {
                return false
            }
            try await connection.query(
                """
                UPDATE interview SET candidate_response = \(answer.response.rawValue), candidate_response_changes = candidate_response_changes + 1
                WHERE id = \(answer.interviewID)
                """, logger: logger)
            try await PostgresSagaStore.enqueue([record.message], sagaID: record.requestID, at: answer.at, on: connection, logger: logger)
            try await tables.append(record.audit, in: connection)
            return true
        }
    }

    package func isReachable() async -> Bool {
        let answer = try? await withDeadline(.seconds(2)) { [store] in
            try await store.database.query("SELECT 1").decode(Int.self).first { _ in true }
        }
        return answer == 1
    }

    package func start(_ start: SagaStart) async throws {
        let (store, tables, logger) = (self.store, self.tables, self.logger)
        try await Self.answeringBusy(about: start.id) {
            try await engine.start(type: start.type, id: start.id, partitionKey: start.partitionKey, data: start.data) { transition in
                try await withDeadline(defaultAnswerLimit) {
                    try await store.database.transaction { connection -> SagaInstance? in
                        try await Self.boundWaits(on: connection, logger: logger)
                        for key in start.check.serializingKeys.sorted() { try await PostgresSagaStore.lock(key, on: connection, logger: logger) }
                        try start.check.verdict(try await Self.facts(for: start.check, tables: tables, on: connection, logger: logger))
                        guard try await PostgresSagaStore.insert(transition, on: connection, logger: logger) else {
                            return try await PostgresSagaStore.instance(id: start.id, on: connection, logger: logger)
                        }
                        try await Self.apply(start.writes, tables: tables, on: connection)
                        return nil
                    }
                }
            }
        }
    }

    /// A command that waited longer than `boundWaits` allows (another command about the same
    /// interview or key holds it) is refused as a conflict to try again; the server aborted its
    /// transaction, so nothing of it is stored.
    @discardableResult
    static func answeringBusy<T>(about subject: String, _ command: () async throws -> T) async throws -> T {
        do {
            return try await command()
        } catch let error as PSQLError where ["55P03", "57014"].contains(error.serverInfo?[.sqlState] ?? "") {
            throw ApplicationError.conflict("\(subject) is being changed by another request; try again")
        }
    }

    /// Another instance may move the saga between the read and the write (the version then
    /// refuses the write): the abort is decided again on what is stored now, a few times.
    package func abort(id: String, by actor: String, reason: String, writes: [ApplicationWrite]) async throws {
        let (store, tables, logger) = (self.store, self.tables, self.logger)
        for attempt in 1...Self.abortAttempts {
            do {
                try await Self.answeringBusy(about: id) {
                    try await engine.operate(id, { .abort(by: actor, reason: reason) }) { transition in
                        try await withDeadline(defaultAnswerLimit) {
                            try await store.database.transaction { connection in
                                try await Self.boundWaits(on: connection, logger: logger)
                                let stored = try await PostgresSagaStore.commit(
                                    transition, on: connection, logger: logger, whenSettled: store.whenSettled)
                                try await Self.apply(writes, tables: tables, on: connection)
                                return stored
                            }
                        }
                    }
                }
                return
            } catch is StaleSagaWrite {
                guard attempt < Self.abortAttempts else {
                    throw ApplicationError.conflict("saga \(id) kept moving while it was being stopped; try again")
                }
            }
        }
    }

    /// A command's transaction waits for a lock, or runs a statement, at most this long: the
    /// server then aborts it, well inside the caller's deadline (`defaultAnswerLimit`), so that
    /// a command the caller gave up on does not commit later.
    static func boundWaits(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SET LOCAL lock_timeout = '4s'", logger: logger)
        try await connection.query("SET LOCAL statement_timeout = '4s'", logger: logger)
    }

    static let abortAttempts = 5

    static func apply(_ writes: [ApplicationWrite], tables: PostgresInterviewTables, on connection: PostgresConnection) async throws {
        for write in writes {
            switch write {
            case .owner(let requestID, let owner): try await tables.recordOwner(of: requestID, owner: owner, in: connection)
            case .audit(let entry): try await tables.append(entry, in: connection)
            case .idempotentRequest(let request, let owner, let key, let at):
                try await tables.recordIdempotentRequest(request, owner: owner, key: key, at: at, in: connection)
            }
        }
    }

    static func facts(
        for check: StartCheck, tables: PostgresInterviewTables, on connection: PostgresConnection, logger: Logger
    ) async throws -> StartFacts {
        var facts = StartFacts()
        switch check {
        case .newRequest(let candidate, let owner, let key, _):
            facts.runningErasure = try await PostgresSagaStore.unsettledInstanceID(
                type: InterviewSagaKind.erasure.rawValue, partitionKey: candidate, on: connection, logger: logger)
            if let key { facts.earlierRequest = try await tables.idempotentRequest(owner: owner, key: key, in: connection) }
        case .cancellation(_, let requestID, _, let interviewID, let cancellationID):
            facts.request = try await PostgresSagaStore.instance(id: requestID, on: connection, logger: logger)
            facts.interview = try await tables.interview(id: interviewID, in: connection)
            facts.cancellation = try await PostgresSagaStore.instance(id: cancellationID, on: connection, logger: logger)
            facts.rescheduling = try await isRescheduling(interviewID, on: connection, logger: logger)
        case .reschedule(_, let requestID, _, let interviewID, let cancellationID, _, _):
            facts.request = try await PostgresSagaStore.instance(id: requestID, on: connection, logger: logger)
            facts.rescheduling = try await isRescheduling(interviewID, on: connection, logger: logger)
            facts.cancellation = try await PostgresSagaStore.instance(id: cancellationID, on: connection, logger: logger)
            facts.interview = try await tables.interview(id: interviewID, in: connection)
        case .erasure(let candidate):
            facts.runningErasure = try await PostgresSagaStore.unsettledInstanceID(
                type: InterviewSagaKind.erasure.rawValue, partitionKey: candidate, on: connection, logger: logger)
        }
        return facts
    }

    /// Whether a reschedule of the interview has not settled.
    static func isRescheduling(_ interviewID: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await PostgresSagaStore.unsettledInstanceID(
            type: InterviewSagaKind.rescheduling.rawValue, partitionKey: interviewID, on: connection, logger: logger) != nil
    }
}
