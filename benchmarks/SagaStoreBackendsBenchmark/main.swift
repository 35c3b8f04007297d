// Stored saga transitions per second on the two backends of the saga store, in one run: the
// SQLite file (FULL durability, group commit) and a private PostgreSQL server on this machine
// (one instance, a pool of 20 connections, fsync on, synchronous_commit on). Each transition is what the engine stores for a
// step: the instance's version-checked update and a log line, in one transaction. Then the
// engine itself on each: sagas of no-op steps run to their end by one engine on SQLite, one
// instance on PostgreSQL, and three instances on PostgreSQL (each its own pool and lease owner,
// as three processes would have them), in the same run.
//
//   swift build -c release --product SagaStoreBackendsBenchmark
//   .build/release/SagaStoreBackendsBenchmark [sagas] [transitions-per-saga]
import Foundation
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
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
let database = try PostgresStore.PostgresDatabase(url: try await server.newDatabase())
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

/// Engine transitions per second: `sagaCount` sagas of five no-op steps started across
/// `engines`, each moving up to 32 at once, until `completed` counts them all.
func engineRate<Store: SagaWorkStore>(
    _ engines: [SagaEngine<Store>], prefix: String, completed: @escaping @Sendable () async throws -> Int
) async throws -> Double {
    let clock = ContinuousClock()
    let started = clock.now
    let running = engines.map { engine in Task { try await engine.run() } }
    for index in 0..<sagaCount {
        try await engines[index % engines.count].start(type: "chain", id: "\(prefix)-\(index)", partitionKey: "k", data: [:])
    }
    while try await completed() < sagaCount { try await Task.sleep(for: .milliseconds(5)) }
    let elapsed = clock.now - started
    for task in running { task.cancel() }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(sagaCount * (1 + 2 * chainSteps)) / seconds
}

let chainSteps = 5
let chain = SagaDefinition(
    name: "chain", version: 1,
    steps: (0..<chainSteps).map { StepDefinition(name: "s\($0)", action: "noop", compensation: nil, retry: .once, timeout: .seconds(5)) },
    stuckAfter: .seconds(300))

var sqliteHandlers = SQLiteSagaHandlers()
sqliteHandlers.action("noop", requiresCompensation: false) { _ in StepOutcome() }
let engineSQLite = try SagaStore(path: directory.path("engine.sqlite"))
let sqliteEngineRate = try await engineRate(
    [SagaEngine(store: engineSQLite, catalog: SagaCatalog([chain]), handlers: sqliteHandlers, pollInterval: .milliseconds(5))],
    prefix: "sqlite", completed: { try await engineSQLite.countsByStatus()[.completed] ?? 0 })

var postgresHandlers = SagaHandlers<PostgresSagaWork.Decision>()
postgresHandlers.action("noop", requiresCompensation: false) { _ in StepOutcome() }
var postgresEngineRates: [Int: Double] = [:]
for instances in [1, 3] {
    let url = try await server.newDatabase()
    var databases: [PostgresStore.PostgresDatabase] = []
    var engines: [SagaEngine<PostgresSagaWork>] = []
    for index in 0..<instances {
        let database = try PostgresStore.PostgresDatabase(url: url)
        databases.append(database)
        let store = PostgresSagaWork(store: try await PostgresSagaStore(database: database), owner: "instance-\(index)")
        engines.append(SagaEngine(store: store, catalog: SagaCatalog([chain]), handlers: postgresHandlers, pollInterval: .milliseconds(5)))
    }
    let counter = databases[0]
    postgresEngineRates[instances] = try await engineRate(engines, prefix: "postgres-\(instances)") {
        for try await count in try await counter.query("SELECT count(*) FROM saga_instance WHERE status = 'completed'").decode(Int.self) {
            return count
        }
        return 0
    }
    for database in databases { database.close() }
}
try await server.stop()
print(
    """
    \(sagaCount) sagas × \(transitionsPerSaga + 1) stored transitions (a start, then each a version-checked update and a log line):

    | store | 1 saga at a time: transitions/s | 32 at once: transitions/s |
    |---|---:|---:|
    \(rows.joined(separator: "\n"))

    The engine: \(sagaCount) sagas × \(chainSteps) no-op steps (\(1 + 2 * chainSteps) transitions each), each engine moving up to 32 at once:

    | engine | transitions/s | ratio to SQLite |
    |---|---:|---:|
    \(String(format: "| SQLite, one process | %.0f | 1.00 |", sqliteEngineRate))
    \(String(format: "| PostgreSQL, one instance | %.0f | %.2f |", postgresEngineRates[1] ?? 0, (postgresEngineRates[1] ?? 0) / sqliteEngineRate))
    \(String(format: "| PostgreSQL, three instances | %.0f | %.2f |", postgresEngineRates[3] ?? 0, (postgresEngineRates[3] ?? 0) / sqliteEngineRate))
    """)
