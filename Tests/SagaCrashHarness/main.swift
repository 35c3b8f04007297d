// A child process for the crash test: runs 200 sagas whose steps write to a fake external
// system (its own SQLite file, which recognises repeated idempotency keys), publishes the
// outbox to that system, and exits 0 once every saga is settled and the outbox is empty.
// The test kills it with SIGKILL at random moments and starts it again.
//
//   SagaCrashHarness DIRECTORY [SAGA_COUNT]
import Foundation
import GRDB
import SagaCore
import SagaEngine
import SagaStore

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: SagaCrashHarness DIRECTORY [SAGA_COUNT]\n".utf8))
    exit(2)
}
let directory = URL(fileURLWithPath: arguments[1])
let sagaCount = arguments.count > 2 ? Int(arguments[2]) ?? 200 : 200

/// The outside world: effects keyed by idempotency key, every call, every delivery.
let external = try DatabaseQueue(path: directory.appendingPathComponent("external.sqlite").path)
try external.write { db in
    try db.execute(
        sql: """
            CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, saga TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, key TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS published (message_id TEXT PRIMARY KEY, deliveries INTEGER NOT NULL);
            """)
}

@Sendable func touchExternalSystem(_ context: StepContext) async throws {
    try await external.write { db in
        try db.execute(sql: "INSERT INTO calls (key) VALUES (?)", arguments: [context.idempotencyKey])
        try db.execute(sql: "INSERT OR IGNORE INTO effects (key, saga) VALUES (?, ?)", arguments: [context.idempotencyKey, context.sagaID])
    }
    // Widen the window between the effect and the saga's commit, where a kill hurts most.
    try await Task.sleep(for: .milliseconds(Int.random(in: 0...3)))
}

struct ExternalPublisher: OutboxPublisher {
    func publish(_ message: OutboxMessage) async throws {
        try await external.write { db in
            try db.execute(
                sql: "INSERT INTO published (message_id, deliveries) VALUES (?, 1) ON CONFLICT(message_id) DO UPDATE SET deliveries = deliveries + 1",
                arguments: [message.id])
        }
    }
}

var handlers = SQLiteSagaHandlers()
for step in ["debit", "reserve", "confirm"] {
    handlers.action(step, requiresCompensation: step != "confirm") { context in
        // Every fifth saga is refused at the last step, so compensation runs under fire too.
        if step == "confirm", let number = Int(context.sagaID.dropFirst(5)), number % 5 == 0 {
            throw StepFailure(.permanent, "refused")
        }
        try await touchExternalSystem(context)
        let message = OutboxMessage(id: "\(context.sagaID):\(step)", topic: "crash.\(step)", key: context.partitionKey, payload: Data("{}".utf8))
        return StepOutcome(messages: [message])
    }
}
for compensation in ["refund", "unreserve"] {
    handlers.compensation(compensation) { context in try await touchExternalSystem(context) }
}

let sagasDirectory = directory.appendingPathComponent("sagas")
try FileManager.default.createDirectory(at: sagasDirectory, withIntermediateDirectories: true)
try """
name: crash
version: 1
steps:
  - { name: debit, action: debit, compensation: refund, retry: { maxAttempts: 20, initialBackoff: 10ms, maxBackoff: 50ms } }
  - { name: reserve, action: reserve, compensation: unreserve, retry: { maxAttempts: 20, initialBackoff: 10ms, maxBackoff: 50ms } }
  - { name: confirm, action: confirm, compensation: none }
""".write(to: sagasDirectory.appendingPathComponent("crash.yaml"), atomically: true, encoding: .utf8)

let store = try SagaStore(path: directory.appendingPathComponent("sagas.sqlite").path, durability: .normal)
let engine = SagaEngine(
    store: store, catalog: try SagaCatalog.load(directory: sagasDirectory, handlers: handlers.inventory), handlers: handlers,
    maxConcurrency: 16, pollInterval: .milliseconds(50))
let relay = OutboxRelay(store: store, publisher: ExternalPublisher(), idleInterval: .milliseconds(20))

for index in 0..<sagaCount {
    try await engine.start(type: "crash", id: "saga-\(index)", partitionKey: "key-\(index % 8)", data: [:])
}
let running = Task { try await engine.run() }
let relaying = Task { await relay.run() }
while true {
    let counts = try await store.countsByStatus()
    let settled = (counts[.completed] ?? 0) + (counts[.compensated] ?? 0) + (counts[.failed] ?? 0)
    if settled == sagaCount, try await store.outboxBacklog() == 0 { break }
    try await Task.sleep(for: .milliseconds(20))
}
running.cancel()
relaying.cancel()
print("settled")
exit(0)
