import Foundation
import GRDB
import InterviewScheduling
import PostgresNIO
import PostgresStore
import SagaCore
import SagaStore
import SchedulerTesting

/// The candidate's mail outbox on either backend, each call in a transaction of its own, so
/// that one suite asserts the same of both: two instances on PostgreSQL, one on SQLite.
protocol MailOutboxBackend: Sendable {
    var instances: Int { get }
    func queue(_ mail: CandidateMail, at now: Date, instance: Int) async throws
    func claim(_ messageID: String, instance: Int) async throws -> Bool
    func markSent(_ messageID: String, at now: Date) async throws
    func retry(_ messageID: String, at time: Date, error: String) async throws
    func markUndeliverable(_ messageID: String, error: String) async throws
    func due(at now: Date, limit: Int) async throws -> [MailOutbox.Entry]
    func nextAttempt() async throws -> Date?
    func entries(ofInterview interviewID: String) async throws -> [MailOutbox.Entry]
    func backlog() async throws -> Int
    /// Stores the interview the mail is about (the announcement of an undeliverable message
    /// names its request).
    func insert(_ interview: InterviewRecord) async throws
    /// What waits in the saga outbox for Kafka.
    func kafkaOutbox() async throws -> [OutboxMessage]
}

struct SQLiteMailOutboxBackend: MailOutboxBackend {
    let store: SagaStore
    let outbox = SQLiteMailOutbox()
    var instances: Int { 1 }

    func queue(_ mail: CandidateMail, at now: Date, instance: Int) async throws {
        try await store.write { [outbox] db in try outbox.queue(mail, at: now, in: db) }
    }

    func claim(_ messageID: String, instance: Int) async throws -> Bool {
        try await store.write { [outbox] db in try outbox.claim(messageID, in: db) }
    }

    func markSent(_ messageID: String, at now: Date) async throws {
        try await store.write { [outbox] db in try outbox.markSent(messageID, at: now, in: db) }
    }

    func retry(_ messageID: String, at time: Date, error: String) async throws {
        try await store.write { [outbox] db in try outbox.retry(messageID, at: time, error: error, in: db) }
    }

    func markUndeliverable(_ messageID: String, error: String) async throws {
        try await store.write { [outbox] db in try outbox.markUndeliverable(messageID, error: error, in: db) }
    }

    func due(at now: Date, limit: Int) async throws -> [MailOutbox.Entry] {
        try await store.read { [outbox] db in try outbox.due(at: now, limit: limit, in: db) }
    }

    func nextAttempt() async throws -> Date? {
        try await store.read { [outbox] db in try outbox.nextAttempt(in: db) }
    }

    func entries(ofInterview interviewID: String) async throws -> [MailOutbox.Entry] {
        try await store.read { [outbox] db in try outbox.entries(ofInterview: interviewID, in: db) }
    }

    func backlog() async throws -> Int {
        try await store.read { [outbox] db in try outbox.backlog(in: db) }
    }

    func insert(_ interview: InterviewRecord) async throws {
        try await store.write { db in try SQLiteInterviewTables().insert(interview, in: db) }
    }

    func kafkaOutbox() async throws -> [OutboxMessage] {
        try await store.pendingOutbox(limit: 100).map(\.message)
    }
}

struct PostgresMailOutboxBackend: MailOutboxBackend {
    let stores: [PostgresSagaStore]
    let outbox = PostgresMailOutbox()
    var instances: Int { stores.count }

    func transaction<T: Sendable>(instance: Int = 0, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await stores[instance].database.transaction(body)
    }

    func queue(_ mail: CandidateMail, at now: Date, instance: Int) async throws {
        try await transaction(instance: instance) { try await outbox.queue(mail, at: now, in: $0) }
    }

    func claim(_ messageID: String, instance: Int) async throws -> Bool {
        try await transaction(instance: instance) { try await outbox.claim(messageID, in: $0) }
    }

    func markSent(_ messageID: String, at now: Date) async throws {
        try await transaction { try await outbox.markSent(messageID, at: now, in: $0) }
    }

    func retry(_ messageID: String, at time: Date, error: String) async throws {
        try await transaction { try await outbox.retry(messageID, at: time, error: error, in: $0) }
    }

    func markUndeliverable(_ messageID: String, error: String) async throws {
        try await transaction { try await outbox.markUndeliverable(messageID, error: error, in: $0) }
    }

    func due(at now: Date, limit: Int) async throws -> [MailOutbox.Entry] {
        try await transaction { try await outbox.due(at: now, limit: limit, in: $0) }
    }

    func nextAttempt() async throws -> Date? {
        try await transaction { try await outbox.nextAttempt(in: $0) }
    }

    func entries(ofInterview interviewID: String) async throws -> [MailOutbox.Entry] {
        try await transaction { try await outbox.entries(ofInterview: interviewID, in: $0) }
    }

    func backlog() async throws -> Int {
        try await transaction { try await outbox.backlog(in: $0) }
    }

    func insert(_ interview: InterviewRecord) async throws {
        try await transaction { try await PostgresInterviewTables().insert(interview, in: $0) }
    }

    func kafkaOutbox() async throws -> [OutboxMessage] {
        try await stores[0].pendingOutbox(limit: 100)
    }
}

extension Backend {
    /// The mail outbox on a fresh database of this backend.
    func openMailOutbox() async throws -> (outbox: any MailOutboxBackend, close: @Sendable () -> Void) {
        let (outbox, close) = try await openServiceDatabase(
            prefix: "mail-outbox", sqlite: { SQLiteMailOutboxBackend(store: $0) as any MailOutboxBackend },
            postgres: { PostgresMailOutboxBackend(stores: $0) })
        return (outbox, close)
    }
}
