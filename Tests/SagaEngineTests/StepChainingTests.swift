import Foundation
import GRDB
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Synchronization
import Testing

/// A step's result and the start of the work after it are one commit; that work is still
/// stored as started before its handler runs.
@Suite("Saga engine: a result and the next start in one commit")
struct StepChainingTests {
    /// What each handler found stored when it ran: the saga's step, attempt and status, and
    /// the last step-log line.
    final class Seen: Sendable {
        let lines = Mutex<[String]>([])

        func record(_ context: StepContext, in store: SagaStore) async throws {
            guard let stored = try await store.instance(id: context.sagaID), let last = try await store.stepLog(sagaID: context.sagaID).last else {
                Issue.record("nothing stored for \(context.sagaID)")
                return
            }
            let line =
                "\(context.step): stored at step \(stored.stepIndex) attempt \(stored.attempt) \(stored.status.rawValue); "
                + "last \(last.phase.rawValue) \(last.step ?? "-") \(last.outcome.rawValue)"
            lines.withLock { $0.append(line) }
        }
    }

    /// A store, and the directory of sagas holding `definition` as `name`.yaml.
    static func store(_ definition: String, named name: String) throws -> (directory: TemporaryDirectory, sagas: URL, store: SagaStore) {
        let directory = try TemporaryDirectory(prefix: "step-chaining")
        let sagas = directory.url.appendingPathComponent("sagas")
        try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
        try definition.write(to: sagas.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        return (directory, sagas, try SagaStore(path: directory.path("sagas.sqlite")))
    }

    @Test func eachStepIsStoredAsStartedBeforeItRunsWithOneCommitFewerPerStep() async throws {
        let (directory, sagas, store) = try Self.store(
            """
            name: chain
            version: 1
            steps:
              - { name: first, action: first, compensation: none }
              - { name: second, action: second, compensation: none }
              - { name: third, action: third, compensation: none }
            """, named: "chain")
        defer { directory.remove() }
        let seen = Seen()
        var handlers = SQLiteSagaHandlers()
        for name in ["first", "third"] {
            handlers.action(name, requiresCompensation: false) { context in
                try await seen.record(context, in: store)
                return StepOutcome(dataPatch: [name: true])
            }
        }
        // The middle one decides in the transaction that stores its result.
        handlers.transactionalAction("second", requiresCompensation: false) { context in
            try await seen.record(context, in: store)
            return { db in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS decided (saga TEXT)")
                try db.execute(sql: "INSERT INTO decided VALUES (?)", arguments: [context.sagaID])
                return StepOutcome(dataPatch: ["second": true])
            }
        }
        let engine = SagaEngine(
            store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers, clock: ManualSagaClock())
        try await engine.start(type: "chain", id: "c1", partitionKey: "k", data: [:])
        let before = store.committedTransactions

        try await engine.runDueWork()

        #expect(
            seen.lines.withLock { $0 } == [
                "first: stored at step 0 attempt 1 running; last action first started",
                "second: stored at step 1 attempt 1 running; last action second started",
                "third: stored at step 2 attempt 1 running; last action third started",
            ])
        // The first step's start, then each result with the next start: four commits, not six.
        #expect(store.committedTransactions - before == 4)
        let log = try await store.stepLog(sagaID: "c1").map { "\($0.step ?? "-") \($0.outcome.rawValue)" }
        #expect(
            log == [
                "- started", "first started", "first succeeded", "second started", "second succeeded", "third started", "third succeeded",
                "- completed",
            ])
        let finished = try #require(try await store.instance(id: "c1"))
        #expect(finished.status == .completed && finished.data == ["first": true, "second": true, "third": true])
    }

    /// A refusal and the start of the undo it calls for are one commit too; the undo is
    /// stored as started before its handler runs.
    @Test func anUndoIsStoredAsStartedBeforeItRuns() async throws {
        let (directory, sagas, store) = try Self.store(
            """
            name: undoing
            version: 1
            steps:
              - { name: first, action: first, compensation: undo-first }
              - { name: second, action: second, compensation: none }
            """, named: "undoing")
        defer { directory.remove() }
        let seen = Seen()
        var handlers = SQLiteSagaHandlers()
        handlers.action("first", requiresCompensation: false) { _ in StepOutcome() }
        handlers.action("second", requiresCompensation: false) { _ in throw StepFailure(.permanent, "refused") }
        handlers.compensation("undo-first") { context in try await seen.record(context, in: store) }
        let engine = SagaEngine(
            store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers, clock: ManualSagaClock())
        try await engine.start(type: "undoing", id: "u1", partitionKey: "k", data: [:])
        let before = store.committedTransactions

        try await engine.runDueWork()

        #expect(seen.lines.withLock { $0 } == ["first: stored at step 0 attempt 1 compensating; last compensation first started"])
        // The first step's start; its result with the second's start; the refusal with the
        // undo's start; the undo's result.
        #expect(store.committedTransactions - before == 4)
        #expect(try await store.instance(id: "u1")?.status == .compensated)
    }
}
