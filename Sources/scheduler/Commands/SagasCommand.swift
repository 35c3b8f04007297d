import ArgumentParser
import Foundation
import InterviewScheduling
import Logging
import PostgresStore
import SagaCore
import SagaEngine
import SagaStore
import SchedulerRuntime

/// `scheduler sagas …`: look at and steer saga instances.
struct SagasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sagas",
        abstract: "Inspect and operate on saga instances.",
        subcommands: [List.self, Show.self, Retry.self, Abort.self, Diagram.self]
    )

    /// Where the database and the definitions are.
    struct Location: ParsableArguments {
        @Option(help: "The service's SQLite database (default: sagas.sqlite in SCHEDULER_DATA_DIR, as `serve` uses).")
        var database: String?

        @Option(
            help: """
                The PostgreSQL database the instances share, postgres://user:password@host:port/name. \
                Without --database or --database-url: SCHEDULER_DATABASE_URL if set (as `serve` does), else SQLite.
                """)
        var databaseURL: String?

        @Option(help: "The directory of saga definitions (default: SCHEDULER_SAGAS_DIR, else sagas).")
        var sagas = ServiceOptions.sagasDirectory()

        func catalog() throws -> SagaCatalog {
            do {
                return try SagaCatalog.load(directory: URL(fileURLWithPath: sagas), handlers: .namesUnchecked)
            } catch {
                throw CommandFailure("\(error)")
            }
        }

        /// Runs `body` with the service's database: the SQLite file, or the PostgreSQL
        /// database that running instances share.
        func withDatabase<T>(_ body: (OperatorDatabase) async throws -> T) async throws -> T {
            // An explicit option wins; the environment only stands in for a missing one.
            let environment = ProcessInfo.processInfo.environment["SCHEDULER_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
            guard let databaseURL = databaseURL ?? (self.database == nil ? environment : nil) else {
                let database = self.database ?? ServiceOptions.sagaDatabasePath()
                guard FileManager.default.fileExists(atPath: database) else {
                    throw CommandFailure("no database at \(database) (use --database, or --database-url for PostgreSQL)")
                }
                return try await body(.sqlite(try ServiceDatabase.openExisting(path: database)))
            }
            guard let url = URL(string: databaseURL), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
                // Not echoed: it may hold a password.
                throw CommandFailure("--database-url (or SCHEDULER_DATABASE_URL) is not a postgres:// URL")
            }
            let postgres: PostgresDatabase
            do {
                postgres = try PostgresDatabase(url: url, maximumConnections: 2, logger: Logger(label: "scheduler-operator"))
            } catch {
                throw CommandFailure("\(error)")
            }
            defer { postgres.close() }
            do {
                // The pool waits for a server that is away; a command says so instead.
                let store = try await withDeadline(.seconds(15)) { try await PostgresServiceDatabase.openExisting(postgres) }
                return try await body(.postgres(store))
            } catch is DeadlineExceeded {
                throw CommandFailure("the database at \(url.redactingPassword) did not answer within 15 s")
            } catch let error as MissingMigrations {
                throw CommandFailure("\(error)")
            } catch let error as UnknownMigrations {
                throw CommandFailure("\(error)")
            }
        }

        /// Runs `body` with an engine on the database. On PostgreSQL it claims no work: its
        /// commands are writes that the running instances see.
        func withEngine<T>(_ body: (any OperatorEngine) async throws -> T) async throws -> T {
            let catalog = try catalog()
            return try await withDatabase { database in
                switch database {
                case .sqlite(let store):
                    return try await body(SagaEngine(store: store, catalog: catalog, handlers: SQLiteSagaHandlers()))
                case .postgres(let store):
                    let name = "operator-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
                    return try await body(
                        SagaEngine(
                            store: PostgresSagaWork(store: store, owner: name), catalog: catalog, handlers: SagaHandlers<PostgresSagaWork.Decision>())
                    )
                }
            }
        }
    }

    /// The service's database, as an operator command opened it.
    enum OperatorDatabase {
        case sqlite(SagaStore)
        case postgres(PostgresSagaStore)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List saga instances, newest first.")
        @OptionGroup var location: Location
        @Option(help: "Only this status: \(SagaStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var state: String?
        @Option(help: "Only this saga type.")
        var type: String?
        @Flag(help: "Only sagas that have not moved for longer than their definition allows.")
        var stuck = false
        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let status = try state.map { name in
                guard let status = SagaStatus(rawValue: name) else { throw CommandFailure("unknown state \"\(name)\"") }
                return status
            }
            let catalog = try location.catalog()
            let now = Date()
            let summaries = try await location.withEngine { engine in
                try await engine.inspection.instances(status: status, type: type, limit: 1000)
            }
            .map { SagaReport.summary($0, catalog: catalog, now: now) }
            .filter { !stuck || $0.stuck }
            try print(json ? JSON.text(summaries) : SagaReport.table(summaries), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one saga's full timeline: steps, attempts, errors, timers, outbox.")
        @OptionGroup var location: Location
        @Argument(help: "The saga id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let timeline = try await location.withEngine { engine in
                guard let instance = try await engine.instance(id: id) else { throw CommandFailure("no saga with id \"\(id)\"") }
                return try await SagaReport.timeline(instance, store: engine.inspection, catalog: try location.catalog(), now: Date())
            }
            try print(json ? JSON.text(timeline) : SagaReport.text(timeline), terminator: "")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-run a failed compensation, or cut a retry backoff short.")
        @OptionGroup var location: Location
        @Argument(help: "The saga id.") var id: String
        @Option(help: "Who is acting, for the log.") var by = ProcessInfo.processInfo.environment["USER"] ?? "operator"

        func run() async throws {
            let instance = try await location.withEngine { engine in try await OperatorAction.perform { try await engine.retry(id: id, by: by) } }
            print("saga \(instance.id) is \(instance.status.rawValue); the service carries on with it")
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a saga now and undo what it did.")
        @OptionGroup var location: Location
        @Argument(help: "The saga id.") var id: String
        @Option(help: "Why, for the log.") var reason: String
        @Option(help: "Who is acting, for the log.") var by = ProcessInfo.processInfo.environment["USER"] ?? "operator"

        func run() async throws {
            let instance = try await location.withEngine { engine in
                try await OperatorAction.perform { try await engine.abort(id: id, by: by, reason: reason) }
            }
            print("saga \(instance.id) is \(instance.status.rawValue); the service runs its compensations")
        }
    }

    struct Diagram: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a Mermaid state diagram of a saga definition.")
        @OptionGroup var location: Location
        @Argument(help: "The definition's name.") var name: String
        @Option(help: "The version (default: the newest).") var version: Int?

        func run() throws {
            let catalog = try location.catalog()
            guard let definition = version.map({ catalog.definition(name, version: $0) }) ?? catalog.latest(name) else {
                throw CommandFailure("no saga definition \"\(name)\"\(version.map { " v\($0)" } ?? "") in \(location.sagas)")
            }
            print(SagaDiagram.mermaid(definition), terminator: "")
        }
    }
}

/// Operator actions race with the running service only through the optimistic version:
/// a stale write is retried a few times. A step the service finishes after an abort keeps
/// its result, and the abort compensates it.
enum OperatorAction {
    static func perform(_ action: () async throws -> SagaInstance) async throws -> SagaInstance {
        for _ in 0..<4 {
            do {
                return try await action()
            } catch is StaleSagaWrite {
                try await Task.sleep(for: .milliseconds(100))
            } catch let error as IllegalTransition {
                throw CommandFailure("\(error)")
            } catch let error as UnknownSaga {
                throw CommandFailure("\(error)")
            }
        }
        throw CommandFailure("the saga kept changing under the command; try again")
    }
}

/// What the operator commands need of an engine, on either backend.
protocol OperatorEngine: Sendable {
    var inspection: any SagaInspection { get }
    func instance(id: String) async throws -> SagaInstance?
    func retry(id: String, by actor: String) async throws -> SagaInstance
    func abort(id: String, by actor: String, reason: String) async throws -> SagaInstance
}

extension SagaEngine: OperatorEngine where Store: SagaInspection {
    var inspection: any SagaInspection { store }
    func instance(id: String) async throws -> SagaInstance? { try await store.instance(id: id) }
}

enum JSON {
    static func text<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
