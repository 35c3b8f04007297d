import Foundation
import GRDB
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Synchronization

/// What the engine suite drives of an engine, whichever store it runs on.
protocol EngineUnderTest: Sendable {
    @discardableResult func start(type: String, id: String, partitionKey: String, data: SagaData) async throws -> SagaInstance
    func runDueWork() async throws
    /// Runs until cancelled, as a service does.
    func run() async throws
    func deliver(_ event: InboundEvent) async throws -> InboxOutcome
    func storedInstance(_ id: String) async throws -> SagaInstance?
    /// The saga's step log as `phase:step:outcome`, oldest first.
    func outcomes(_ id: String) async throws -> [String]
    /// The ids of the outbox messages not yet published, in publishing order.
    func pendingOutboxIDs() async throws -> [String]
    /// What an operator reads of the store.
    var inspection: any SagaInspection { get }
    @discardableResult func abort(id: String, by actor: String, reason: String) async throws -> SagaInstance
    @discardableResult func retry(id: String, by actor: String) async throws -> SagaInstance
    func stuckInstances() async throws -> [SagaInstance]
}

/// A store whose step log and outbox the suite can read.
protocol InspectableWorkStore: SagaWorkStore, SagaInspection {
    func outcomes(_ id: String) async throws -> [String]
    func pendingOutboxIDs() async throws -> [String]
}

extension SagaStore: InspectableWorkStore {
    func outcomes(_ id: String) async throws -> [String] {
        try await stepLog(sagaID: id).map { "\($0.phase.rawValue):\($0.step ?? "-"):\($0.outcome.rawValue)" }
    }

    func pendingOutboxIDs() async throws -> [String] {
        try await pendingOutbox(limit: 1000).map(\.message.id)
    }
}

extension PostgresSagaWork: InspectableWorkStore {
    func outcomes(_ id: String) async throws -> [String] {
        try await store.stepOutcomes(sagaID: id).map { "\($0.phase):\($0.step ?? "-"):\($0.outcome)" }
    }

    func pendingOutboxIDs() async throws -> [String] {
        try await store.pendingOutbox(limit: 1000).map(\.id)
    }
}

extension SagaEngine: EngineUnderTest where Store: InspectableWorkStore {
    func storedInstance(_ id: String) async throws -> SagaInstance? { try await store.instance(id: id) }
    func outcomes(_ id: String) async throws -> [String] { try await store.outcomes(id) }
    func pendingOutboxIDs() async throws -> [String] { try await store.pendingOutboxIDs() }
    var inspection: any SagaInspection { store }
}

/// Calls the fake outside world saw, and scripted failures and holds of its handlers.
final class OutsideWorld: Sendable {
    private struct State {
        var calls: [String] = []
        var failures: [String: [StepFailure]] = [:]
        var held: Set<String> = []
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }
    private let state = Mutex(State())

    var calls: [String] { state.withLock { $0.calls } }
    func calls(of handler: String) -> [String] { calls.filter { $0.hasPrefix("\(handler) ") } }

    /// The next calls of `handler` fail with `failures`, one each.
    func fail(_ handler: String, _ failures: StepFailure...) { state.withLock { $0.failures[handler, default: []] += failures } }

    /// The next call of `handler` (that one only) waits until `release`.
    func holdNext(_ handler: String) { state.withLock { _ = $0.held.insert(handler) } }
    /// Lets the held call of `handler` go on.
    func release(_ handler: String) {
        for continuation in state.withLock({ $0.waiting.removeValue(forKey: handler) ?? [] }) { continuation.resume() }
    }
    /// Whether a call of `handler` is waiting in its hold.
    func isHolding(_ handler: String) -> Bool { state.withLock { !($0.waiting[handler] ?? []).isEmpty } }

    /// Records a call of `handler` and throws its scripted failure, if any, after any hold.
    func call(_ handler: String, _ context: StepContext) async throws {
        await withCheckedContinuation { continuation in
            let go = state.withLock { state in
                state.calls.append("\(handler) \(context.idempotencyKey) #\(context.attempt)")
                guard state.held.remove(handler) != nil else { return true }
                state.waiting[handler, default: []].append(continuation)
                return false
            }
            if go { continuation.resume() }
        }
        let failure = state.withLock { state -> StepFailure? in
            guard var queue = state.failures[handler], !queue.isEmpty else { return nil }
            let failure = queue.removeFirst()
            state.failures[handler] = queue
            return failure
        }
        if let failure { throw failure }
    }
}

/// A booking saga, reserve → record (a decision in the store's transaction) → book, waiting
/// for two replies → notify, run by one or more engines on one database of either backend.
struct EngineOnBackend: Sendable {
    let clock: ManualSagaClock
    let world: OutsideWorld
    let engines: [any EngineUnderTest]
    /// The same engines as `engines` on PostgreSQL, typed: for the inbound pipeline.
    var postgresEngines: [SagaEngine<PostgresSagaWork>] = []
    /// The rows the `record` decision wrote, by saga id.
    let notes: @Sendable () async throws -> [String]
    let close: @Sendable () -> Void

    var engine: any EngineUnderTest { engines[0] }

    static let definition = SagaDefinition(
        name: "booking", version: 1,
        steps: [
            StepDefinition(
                name: "reserve", action: "reserve", compensation: "release",
                retry: RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(1), maxBackoff: .seconds(4), jitter: .none), timeout: .seconds(30)),
            StepDefinition(name: "record", action: "record", compensation: nil, retry: .once, timeout: .seconds(5)),
            StepDefinition(
                name: "book", action: "book", compensation: "cancel", retry: .once, timeout: .seconds(5),
                wait: WaitDefinition(event: "reply", correlation: "requestId", onEvent: "collect", deadline: .seconds(60), onDeadline: "settle")),
            StepDefinition(name: "notify", action: "notify", compensation: nil, retry: .once, timeout: .seconds(5)),
        ],
        stuckAfter: .seconds(600))

    /// Opens a fresh database of `backend` with `count` engines on it, each as a separate
    /// instance would have it (its own pool, its own lease owner). SQLite has one engine: one
    /// process owns the file.
    ///
    /// The engines run on `clock`, a manual one unless the test runs them in real time
    /// (`SystemWallClock`); on PostgreSQL, `url` names the database when the test brings its
    /// own server.
    static func open(
        _ backend: Backend, engines count: Int = 1, lease: Duration = .seconds(60), clock engineClock: (any WallClock)? = nil, url: URL? = nil,
        workers: Int = 32
    ) async throws -> EngineOnBackend {
        let clock = ManualSagaClock()
        let world = OutsideWorld()
        let catalog = SagaCatalog([definition])
        switch backend {
        case .sqlite:
            precondition(count == 1, "SQLite is one process")
            let directory = try TemporaryDirectory(prefix: "engine-backend")
            let store = try SagaStore(
                path: directory.path("sagas.sqlite"),
                applicationSchema: [ApplicationMigration("notes") { db in try db.execute(sql: "CREATE TABLE note (saga_id TEXT PRIMARY KEY)") }])
            let handlers = Self.handlers(world) { context -> SagaStore.Decision in
                { db in
                    try db.execute(sql: "INSERT INTO note (saga_id) VALUES (?)", arguments: [context.sagaID])
                    if context.data["refuse"] == .bool(true) { throw StepFailure(.permanent, "refused after writing") }
                    return StepOutcome()
                }
            }
            let engine = SagaEngine(
                store: store, catalog: catalog, handlers: handlers, clock: engineClock ?? clock, maxConcurrency: workers,
                pollInterval: .milliseconds(100))
            return EngineOnBackend(
                clock: clock, world: world, engines: [engine],
                notes: { try await store.read { db in try String.fetchAll(db, sql: "SELECT saga_id FROM note ORDER BY saga_id") } },
                close: { directory.remove() })
        case .postgres:
            let url = try await { if let url { url } else { try await PostgresTestServer.shared().newDatabase() } }()
            let schema = [PostgresMigration("notes", ["CREATE TABLE note (saga_id TEXT PRIMARY KEY)"])]
            let handlers = Self.handlers(world) { context -> PostgresSagaWork.Decision in
                { connection in
                    try await connection.query("INSERT INTO note (saga_id) VALUES (\(context.sagaID))", logger: Logger(label: "test"))
                    if context.data["refuse"] == .bool(true) { throw StepFailure(.permanent, "refused after writing") }
                    return StepOutcome()
                }
            }
            var databases: [PostgresStore.PostgresDatabase] = []
            var engines: [SagaEngine<PostgresSagaWork>] = []
            for index in 0..<count {
                let database = try PostgresStore.PostgresDatabase(url: url)
                databases.append(database)
                let store = try await PostgresSagaStore(database: database, applicationSchema: schema)
                let work = PostgresSagaWork(store: store, owner: "instance-\(index)", lease: lease, clock: engineClock ?? clock)
                engines.append(
                    SagaEngine(
                        store: work, catalog: catalog, handlers: handlers, clock: engineClock ?? clock, maxConcurrency: workers,
                        pollInterval: .milliseconds(100)))
            }
            let (reader, opened) = (databases[0], databases)
            return EngineOnBackend(
                clock: clock, world: world, engines: engines, postgresEngines: engines,
                notes: {
                    var ids: [String] = []
                    for try await id in try await reader.query("SELECT saga_id FROM note ORDER BY saga_id").decode(String.self) { ids.append(id) }
                    return ids
                },
                close: { for database in opened { database.close() } })
        }
    }

    /// The booking saga's handlers; `record` makes the decision of the store at hand.
    static func handlers<Decision: Sendable>(
        _ world: OutsideWorld, record: @escaping @Sendable (StepContext) -> Decision
    ) -> SagaHandlers<Decision> {
        var handlers = SagaHandlers<Decision>()
        handlers.action("reserve", requiresCompensation: true) { context in
            try await world.call("reserve", context)
            return StepOutcome(dataPatch: ["reserved": true])
        }
        handlers.transactionalAction("record", requiresCompensation: false) { context in
            try await world.call("record", context)
            return record(context)
        }
        handlers.action("book", requiresCompensation: true) { context in
            try await world.call("book", context)
            return StepOutcome(
                messages: [OutboxMessage(id: "\(context.sagaID)-requested", topic: "requests", key: context.partitionKey, payload: Data("{}".utf8))],
                awaitCorrelation: "req-\(context.sagaID)")
        }
        handlers.action("notify", requiresCompensation: false) { context in
            try await world.call("notify", context)
            return StepOutcome(messages: [
                OutboxMessage(id: "\(context.sagaID)-confirmed", topic: "confirmations", key: context.partitionKey, payload: Data("{}".utf8))
            ])
        }
        for name in ["release", "cancel"] {
            handlers.compensation(name) { context in try await world.call(name, context) }
        }
        handlers.onEvent("collect") { context, payload in
            try await world.call("collect", context)
            if payload["accept"] == .bool(false) { return .fail(StepFailure(.conflict, "declined")) }
            let replies = (context.data["replies"]?.numberValue ?? 0) + 1
            return replies >= 2 ? .complete(StepOutcome(dataPatch: ["replies": .number(replies)])) : .keepWaiting(["replies": .number(replies)])
        }
        handlers.onDeadline("settle") { context in
            try await world.call("settle", context)
            return (context.data["replies"]?.numberValue ?? 0) >= 1
                ? .proceed(StepOutcome(dataPatch: ["partial": true])) : .fail(StepFailure(.timeout, "nobody replied"))
        }
        return handlers
    }

    /// A reply to saga `sagaID`'s request.
    static func reply(_ sagaID: String, id: String, accept: Bool = true) -> InboundEvent {
        InboundEvent(messageID: id, topic: "replies", type: "reply", correlation: "req-\(sagaID)", payload: ["accept": .bool(accept)])
    }
}
