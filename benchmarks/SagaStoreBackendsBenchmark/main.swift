// Stored saga transitions per second on the two backends of the saga store, in one run: the
// SQLite file (FULL durability, group commit) and a private PostgreSQL server on this machine
// (one instance, a pool of 20 connections, fsync on, synchronous_commit on). Each transition is what the engine stores for a
// step: the instance's version-checked update and a log line, in one transaction. The engine
// itself runs only on SQLite so far (issue 18); this measures the store underneath it.
//
//   swift build -c release --product SagaStoreBackendsBenchmark
//   .build/release/SagaStoreBackendsBenchmark [sagas] [transitions-per-saga]
import Foundation
import PostgresStore
import SagaCore
import SagaStore
import SchedulerTesting

let sagaCount = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 200
let transitionsPerSaga = CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 10

/// A store as this benchmark uses it.
struct TransitionStore: Sendable {
    let insert: @Sendable (SagaTransition) async throws -> Void
    let commit: @Sendable (SagaTransition) async throws -> SagaInstance
}

let definition = SagaDefinition(
    name: "bench", version: 1,
    steps: [StepDefinition(name: "step", action: "noop", compensation: nil, retry: .once, timeout: .seconds(5))], stuckAfter: .seconds(300))
let machine = SagaMachine(definition: definition)

/// Starts one saga and stores `transitionsPerSaga` transitions of it, one after another.
func run(_ id: String, on store: TransitionStore) async throws {
    let start = machine.start(id: id, partitionKey: id, data: ["note": "x"], now: Date())
    try await store.insert(start)
    var instance = start.instance
    for attempt in 1...transitionsPerSaga {
        instance = try await store.commit(
            machine.begin(.action(step: 0, attempt: attempt, idempotencyKey: "\(id):step"), on: instance, now: Date()))
    }
}

/// Transitions per second with `concurrency` sagas moving at once.
func rate(_ store: TransitionStore, concurrency: Int, prefix: String) async throws -> Double {
    let clock = ContinuousClock()
    let started = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            let id = "\(prefix)-\(next)"
            next += 1
            group.addTask { try await run(id, on: store) }
        }
        for _ in 0..<min(concurrency, sagaCount) { add() }
        while try await group.next() != nil { if next < sagaCount { add() } }
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(sagaCount * (transitionsPerSaga + 1)) / seconds
}

let directory = try TemporaryDirectory(prefix: "store-bench")
defer { directory.remove() }
let sqlite = try SagaStore(path: directory.path("sagas.sqlite"))
// The test server runs without fsync; this one syncs its commits as a production server does.
setenv("POSTGRES_SERVER_FSYNC", "on", 1)
let server = try await PostgresTestServer.startPrivate()
let database = try PostgresDatabase(url: try await server.newDatabase())
let postgres = try await PostgresSagaStore(database: database)

var rows: [String] = []
let stores = [
    ("SQLite (FULL)", TransitionStore(insert: { _ = try await sqlite.insert($0) }, commit: { try await sqlite.commit($0) })),
    ("PostgreSQL, one instance", TransitionStore(insert: { _ = try await postgres.insert($0) }, commit: { try await postgres.commit($0) })),
]
for (name, store) in stores {
    let serial = try await rate(store, concurrency: 1, prefix: "\(name)-serial")
    let concurrent = try await rate(store, concurrency: 32, prefix: "\(name)-concurrent")
    rows.append(String(format: "| %@ | %.0f | %.0f |", name, serial, concurrent))
}
database.close()
try await server.stop()
print(
    """
    \(sagaCount) sagas × \(transitionsPerSaga + 1) stored transitions (a start, then each a version-checked update and a log line):

    | store | 1 saga at a time: transitions/s | 32 at once: transitions/s |
    |---|---:|---:|
    \(rows.joined(separator: "\n"))
    """)
