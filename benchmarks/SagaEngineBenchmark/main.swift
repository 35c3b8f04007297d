// Saga step transitions per second over SQLite, next to the physical ceiling measured in
// the same run: single-row insert-and-commit transactions, one after another.
//
//   swift run -c release SagaEngineBenchmark [sagas] [steps]
import Foundation
import GRDB
import SagaCore
import SagaEngine
import SagaStore

let sagaCount = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 200
let stepCount = CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 5

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("saga-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Commits per second of one-row transactions, sequentially: the one-commit-per-transition ceiling.
func rawCommitRate(_ durability: SagaStore.Durability, commits: Int) throws -> Double {
    let directory = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var configuration = Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)") }
    let pool = try DatabasePool(path: directory.appendingPathComponent("raw.sqlite").path, configuration: configuration)
    try pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)") }
    let elapsed = try ContinuousClock().measure {
        for index in 0..<commits {
            try pool.write { db in try db.execute(sql: "INSERT INTO t (payload) VALUES (?)", arguments: ["row \(index)"]) }
        }
    }
    return Double(commits) / seconds(elapsed)
}

/// Runs `sagaCount` sagas of `stepCount` no-op steps; returns stored transitions per second.
func engineRate(_ durability: SagaStore.Durability, concurrency: Int) async throws -> (transitions: Double, steps: Double, perCommit: Double) {
    let directory = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let sagas = directory.appendingPathComponent("sagas")
    try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
    let steps = (0..<stepCount).map { "  - { name: s\($0), action: noop, compensation: none }" }.joined(separator: "\n")
    try "name: bench\nversion: 1\nsteps:\n\(steps)\n".write(to: sagas.appendingPathComponent("bench.yaml"), atomically: true, encoding: .utf8)
    var handlers = SQLiteSagaHandlers()
    handlers.action("noop", requiresCompensation: false) { _ in StepOutcome() }
    let store = try SagaStore(path: directory.appendingPathComponent("bench.sqlite").path, durability: durability)
    let engine = SagaEngine(
        store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers,
        maxConcurrency: concurrency, pollInterval: .milliseconds(5))
    let clock = ContinuousClock()
    let commitsBefore = store.committedTransactions
    let started = clock.now
    for index in 0..<sagaCount {
        try await engine.start(type: "bench", id: "b\(index)", partitionKey: "k", data: [:])
    }
    let running = Task { try await engine.run() }
    while try await store.countsByStatus()[.completed] ?? 0 < sagaCount {
        try await Task.sleep(for: .milliseconds(2))
    }
    let elapsed = seconds(clock.now - started)
    running.cancel()
    // Per saga: one start, then a begin and a result per step.
    let transitions = Double(sagaCount * (1 + 2 * stepCount))
    return (transitions / elapsed, Double(sagaCount * stepCount) / elapsed, transitions / Double(store.committedTransactions - commitsBefore))
}

print(
    "| synchronous | raw commits/s | 1 saga at a time: transitions/s | ratio to raw | 32 concurrent: transitions/s | ratio to raw | transitions per commit (32) | steps/s (32) |"
)
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for durability in [SagaStore.Durability.full, .normal] {
    let raw = try rawCommitRate(durability, commits: 2_000)
    let serial = try await engineRate(durability, concurrency: 1)
    let concurrent = try await engineRate(durability, concurrency: 32)
    let rawAfter = try rawCommitRate(durability, commits: 2_000)
    let ceiling = (raw + rawAfter) / 2
    print(
        String(
            format: "| %@ | %.0f | %.0f | %.2f | %.0f | %.2f | %.1f | %.0f |", durability.rawValue, ceiling, serial.transitions,
            serial.transitions / ceiling,
            concurrent.transitions, concurrent.transitions / ceiling, concurrent.perCommit, concurrent.steps))
}
print("")
print(
    "\(sagaCount) sagas × \(stepCount) no-op steps; a transition is one stored state change (a start, a step's begin, a step's result). Raw: mean of 2,000 single-row commits measured before and after the engine runs."
)
