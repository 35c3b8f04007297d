import Foundation
import InterviewScheduling
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

/// `scheduler sagas …` against a real database written by the engine.
@Suite("scheduler sagas")
struct SagasCommandTests {
    static let definition = """
        name: demo
        version: 3
        steps:
          - { name: book, action: book, compensation: cancel }
          - name: await
            action: ask
            compensation: none
            wait: { event: reply, correlation: requestId, onEvent: collect, deadline: 1h }
        """

    let scheduler = BuiltProducts.executable("scheduler")

    /// A database of `backend` with `waiting-1` (waiting for a reply) and `failed-1` (its
    /// compensation failed), the arguments that name it, and its step log as the command left it.
    func prepare(_ backend: Backend = .sqlite) async throws -> Prepared {
        let directory = try TemporaryDirectory(prefix: "sagas-cli")
        let sagas = directory.url.appendingPathComponent("sagas")
        try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
        try Self.definition.write(to: sagas.appendingPathComponent("demo.yaml"), atomically: true, encoding: .utf8)
        func register<Decision>(_ handlers: inout SagaHandlers<Decision>) {
            handlers.action("book", requiresCompensation: true) { _ in StepOutcome() }
            handlers.action("ask", requiresCompensation: false) { context in
                if context.sagaID.hasPrefix("failed") { throw StepFailure(.permanent, "calendar said no") }
                return StepOutcome(awaitCorrelation: "r-\(context.sagaID)")
            }
            handlers.compensation("cancel") { _ in throw StepFailure(.permanent, "provider gone") }
            handlers.onEvent("collect") { _, _ in .complete(StepOutcome()) }
        }
        switch backend {
        case .sqlite:
            var handlers = SQLiteSagaHandlers()
            register(&handlers)
            let store = try SagaStore(path: directory.path("scheduler.sqlite"))
            let engine = SagaEngine(store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers)
            try await engine.start(type: "demo", id: "waiting-1", partitionKey: "c1", data: [:])
            try await engine.start(type: "demo", id: "failed-1", partitionKey: "c2", data: [:])
            try await engine.runDueWork()
            return Prepared(
                directory: directory, location: ["--database", directory.path("scheduler.sqlite"), "--sagas", sagas.path],
                stepLog: { try await SagaStore(path: directory.path("scheduler.sqlite")).stepLog(sagaID: $0) }, close: { directory.remove() })
        case .postgres:
            var handlers = SagaHandlers<PostgresSagaWork.Decision>()
            register(&handlers)
            let url = try await PostgresTestServer.shared().newDatabase()
            let database = try PostgresDatabase(url: url, maximumConnections: 4)
            let store = try await PostgresServiceDatabase.open(database)
            let engine = SagaEngine(
                store: PostgresSagaWork(store: store, owner: "instance-0"),
                catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers)
            try await engine.start(type: "demo", id: "waiting-1", partitionKey: "c1", data: [:])
            try await engine.start(type: "demo", id: "failed-1", partitionKey: "c2", data: [:])
            try await engine.runDueWork()
            return Prepared(
                directory: directory, location: ["--database-url", url.absoluteString, "--sagas", sagas.path],
                stepLog: { try await store.stepLog(sagaID: $0) },
                close: {
                    database.close()
                    directory.remove()
                })
        }
    }

    struct Prepared {
        var directory: TemporaryDirectory
        var location: [String]
        var stepLog: @Sendable (String) async throws -> [StepLogRecord]
        var close: @Sendable () -> Void
    }

    enum Backend: CaseIterable, Sendable {
        case sqlite, postgres
    }

    func run(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await ChildProcess(executable: scheduler, arguments: arguments).run()
    }

    @Test(arguments: Backend.allCases)
    func listShowsEveryInstanceAndFiltersByState(_ backend: Backend) async throws {
        let prepared = try await prepare(backend)
        defer { prepared.close() }
        let location = prepared.location
        let table = try await run(["sagas", "list"] + location)
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.hasPrefix("ID "))
        #expect(table.standardOutput.contains("waiting-1") && table.standardOutput.contains("waiting"))
        #expect(table.standardOutput.contains("failed-1"))
        let failed = try await run(["sagas", "list", "--state", "failed", "--json"] + location)
        let entries = try JSONSerialization.jsonObject(with: Data(failed.standardOutput.utf8)) as? [[String: Any]]
        #expect(entries?.map { $0["id"] as? String } == ["failed-1"])
        #expect(entries?.first?["lastError"] as? String == "permanent: provider gone")
        #expect(try await run(["sagas", "list", "--stuck"] + location).standardOutput == "No sagas.\n")
    }

    /// The README's `scheduler sagas list`, with no options, reads the database `serve` writes
    /// under the same SCHEDULER_DATA_DIR and SCHEDULER_SAGAS_DIR.
    @Test func withoutOptionsTheServicesDatabaseIsFound() async throws {
        let prepared = try await prepare()
        defer { prepared.close() }
        let directory = prepared.directory
        let data = directory.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: directory.path("scheduler.sqlite" + suffix)) {
            try FileManager.default.copyItem(
                atPath: directory.path("scheduler.sqlite" + suffix), toPath: data.appendingPathComponent("sagas.sqlite" + suffix).path)
        }
        let environment = ProcessInfo.processInfo.environment.merging([
            "SCHEDULER_DATA_DIR": data.path, "SCHEDULER_SAGAS_DIR": directory.path("sagas"),
        ]) { _, new in new }
        let listed = try await ChildProcess(executable: scheduler, arguments: ["sagas", "list"], environment: environment).run()
        #expect(listed.status == 0, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("waiting-1") && listed.standardOutput.contains("failed-1"))
    }

    @Test(arguments: Backend.allCases)
    func showPrintsTheTimeline(_ backend: Backend) async throws {
        let prepared = try await prepare(backend)
        defer { prepared.close() }
        let location = prepared.location
        let shown = try await run(["sagas", "show", "failed-1"] + location)
        #expect(shown.status == 0)
        #expect(shown.standardOutput.contains("Saga failed-1: demo v3, failed"))
        #expect(shown.standardOutput.contains("needsOperator"))
        let json = try await run(["sagas", "show", "waiting-1", "--json"] + location)
        let timeline = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect((timeline?["waitingFor"] as? [String: Any])?["correlation"] as? String == "r-waiting-1")
        #expect((timeline?["log"] as? [[String: Any]])?.count == 6)
        let missing = try await run(["sagas", "show", "nope"] + location)
        #expect(missing.status != 0 && missing.standardError.contains("no saga with id \"nope\""))
    }

    @Test(arguments: Backend.allCases)
    func abortAndRetryAreRecordedWithTheOperator(_ backend: Backend) async throws {
        let prepared = try await prepare(backend)
        defer { prepared.close() }
        let location = prepared.location
        let aborted = try await run(["sagas", "abort", "waiting-1", "--reason", "candidate withdrew", "--by", "alice"] + location)
        #expect(aborted.status == 0, "\(aborted.standardError)")
        #expect(aborted.standardOutput.contains("compensating"))
        let retried = try await run(["sagas", "retry", "failed-1", "--by", "bob"] + location)
        #expect(retried.status == 0, "\(retried.standardError)")
        #expect(
            try await prepared.stepLog("waiting-1").contains {
                $0.outcome == .aborted && $0.actor == "alice" && $0.message == "candidate withdrew"
            })
        #expect(try await prepared.stepLog("failed-1").contains { $0.outcome == .retried && $0.actor == "bob" })
        let illegal = try await run(["sagas", "abort", "failed-1", "--reason", "x"] + location)
        #expect(illegal.status != 0 && illegal.standardError.contains("cannot abort"))
    }

    /// An explicit --database wins over SCHEDULER_DATABASE_URL; a PostgreSQL database without
    /// the service's schema is refused by name, and left as it was (an operator's command never migrates).
    @Test func theDatabaseNamedOnTheCommandLineIsTheOneUsedAndNeverMigrated() async throws {
        let prepared = try await prepare()
        defer { prepared.close() }
        let empty = try await PostgresTestServer.shared().newDatabase()
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEDULER_DATABASE_URL"] = empty.absoluteString
        let listed = try await ChildProcess(executable: scheduler, arguments: ["sagas", "list"] + prepared.location, environment: environment).run()
        #expect(listed.status == 0 && listed.standardOutput.contains("waiting-1"), "\(listed.standardError)")
        let refused = try await ChildProcess(executable: scheduler, arguments: ["sagas", "list"], environment: environment).run()
        #expect(refused.status != 0 && refused.standardError.contains("no scheduler schema"), "\(refused.standardError)")
        let database = try PostgresDatabase(url: empty, maximumConnections: 2)
        defer { database.close() }
        let tables = try await database.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").collect()
        #expect(try tables.first?.decode(Int64.self) == 0, "nothing was created in the database")
    }

    /// A database that does not answer is named (without its password) after a bounded wait,
    /// instead of the command waiting for it as the service's pool does.
    @Test func aDatabaseThatDoesNotAnswerIsNamedAfterABoundedWait() async throws {
        let prepared = try await prepare()
        defer { prepared.close() }
        let url = "postgres://scheduler:s3cret-pass@127.0.0.1:\(try FreePort.next())/nothing"
        let result = try await run(["sagas", "list", "--database-url", url, "--sagas", prepared.directory.path("sagas")])
        #expect(result.status != 0 && result.standardError.contains("did not answer within 15 s"), "\(result.standardError)")
        #expect(!result.standardError.contains("s3cret-pass"))
    }

    @Test func diagramIsGeneratedFromTheDefinition() async throws {
        let prepared = try await prepare()
        defer { prepared.close() }
        let location = prepared.location
        let diagram = try await run(["sagas", "diagram", "demo"] + location)
        #expect(diagram.standardOutput.hasPrefix("stateDiagram-v2\n"))
        #expect(diagram.standardOutput.contains("state \"waiting for reply\\nby requestId, 1h deadline\" as wait1"))
        let unknown = try await run(["sagas", "diagram", "nope"] + location)
        #expect(unknown.status != 0 && unknown.standardError.contains("no saga definition \"nope\""))
    }

    @Test func aBrokenDefinitionNamesFileStepAndReason() async throws {
        let prepared = try await prepare()
        defer { prepared.close() }
        let (directory, location) = (prepared.directory, prepared.location)
        try "name: bad\nversion: 1\nsteps:\n  - { name: x, action: y, compensation: none, timeout: soon }\n"
            .write(to: directory.url.appendingPathComponent("sagas/bad.yaml"), atomically: true, encoding: .utf8)
        let result = try await run(["sagas", "diagram", "demo"] + location)
        #expect(result.status != 0)
        #expect(result.standardError.contains("sagas/bad.yaml: step \"x\": timeout: bad duration \"soon\""))
    }
}
