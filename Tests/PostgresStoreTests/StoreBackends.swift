import Foundation
import PostgresStore
import SagaCore
import SagaStore
import SchedulerTesting
import Testing

/// What the saga store does on either backend, so that one suite asserts the same of both.
protocol SagaStoreBackend: Sendable {
    @discardableResult func insert(_ transition: SagaTransition) async throws -> Bool
    func commit(_ transition: SagaTransition) async throws -> SagaInstance
    func instance(id: String) async throws -> SagaInstance?
    func dueInstanceIDs(at now: Date, limit: Int) async throws -> [String]
    func receive(
        messageID: String, topic: String, at now: Date, transition: SagaTransition?, ignoredBecause reason: String?
    ) async throws
        -> InboxOutcome
    func pendingOutbox(limit: Int) async throws -> [OutboxMessage]
    func markPublished(ids: [String], at now: Date) async throws
    func markPublishFailed(id: String, error: String) async throws
    func deliveryAttempts(id: String, sagaID: String) async throws -> (attempts: Int, lastError: String?)?
    func stepLogLength(sagaID: String) async throws -> Int
    func deadLetter(
        messageID: String, eventID: String?, topic: String, at now: Date, reason: String, messages: [OutboxMessage]
    ) async throws
        -> InboxOutcome
    func hasProcessed(messageID: String) async throws -> Bool
}

extension SagaStore: SagaStoreBackend {
    func pendingOutbox(limit: Int) async throws -> [OutboxMessage] {
        try await pendingOutbox(limit: limit).map(\.message)
    }

    func stepLogLength(sagaID: String) async throws -> Int {
        try await stepLog(sagaID: sagaID).count
    }

    func deliveryAttempts(id: String, sagaID: String) async throws -> (attempts: Int, lastError: String?)? {
        try await outbox(sagaID: sagaID).first { $0.message.id == id }.map { ($0.attempts, $0.lastError) }
    }
}

extension PostgresSagaStore: SagaStoreBackend {
    func stepLogLength(sagaID: String) async throws -> Int {
        try await stepOutcomes(sagaID: sagaID).count
    }

    func deliveryAttempts(id: String, sagaID: String) async throws -> (attempts: Int, lastError: String?)? {
        try await deliveryAttempts(id: id)
    }
}

/// The two backends, each on a fresh database: a SQLite file, a new PostgreSQL database on the
/// test process's private server.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    func open() async throws -> (store: any SagaStoreBackend, close: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "saga-store")
            return (try SagaStore(path: directory.path("sagas.sqlite")), { directory.remove() })
        case .postgres:
            let database = try PostgresDatabase(url: try await PostgresTestServer.shared().newDatabase())
            return (try await PostgresSagaStore(database: database), { database.close() })
        }
    }
}

/// A booking saga's definition and transitions, built by the real state machine.
enum Sagas {
    static let definition = SagaDefinition(
        name: "booking", version: 1,
        steps: [StepDefinition(name: "book", action: "calendars.book", compensation: "calendars.cancel", retry: .once, timeout: .seconds(5))],
        stuckAfter: .seconds(300))
    static let machine = SagaMachine(definition: definition)
    static let epoch = Date(timeIntervalSince1970: 1_000)

    static func started(_ id: String, at now: Date = epoch) -> SagaTransition {
        machine.start(id: id, partitionKey: "cand-1", data: ["note": "x"], now: now)
    }

    /// The transition that begins the saga's first step on `instance`.
    static func begin(_ instance: SagaInstance, at now: Date) -> SagaTransition {
        machine.begin(.action(step: 0, attempt: 1, idempotencyKey: "\(instance.id):book"), on: instance, now: now)
    }
}
