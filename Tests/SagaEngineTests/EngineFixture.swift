import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Synchronization

/// What the fake outside world saw: every call with its idempotency key.
final class ExternalCalls: Sendable {
    private let calls = Mutex<[String]>([])
    var all: [String] { calls.withLock { $0 } }
    func record(_ call: String) { calls.withLock { $0.append(call) } }
}

/// Scripted failures: the next N calls of a handler fail with the given failure.
final class FailureScript: Sendable {
    private let remaining = Mutex<[String: [StepFailure]]>([:])
    func fail(_ handler: String, _ failures: StepFailure...) { remaining.withLock { $0[handler, default: []] += failures } }
    func next(_ handler: String) -> StepFailure? {
        remaining.withLock { state in
            guard var queue = state[handler], !queue.isEmpty else { return nil }
            let failure = queue.removeFirst()
            state[handler] = queue
            return failure
        }
    }
}

/// Actions that, once started, wait until the test lets them finish.
final class HeldActions: Sendable {
    private let state = Mutex<(held: Set<String>, started: Set<String>, waiting: [String: [CheckedContinuation<Void, Never>]])>(([], [], [:]))

    /// Holds `name` from now on; `hasStarted` then tells whether it started since.
    func hold(_ name: String) {
        state.withLock { state in
            state.held.insert(name)
            state.started.remove(name)
        }
    }
    func hasStarted(_ name: String) -> Bool { state.withLock { $0.started.contains(name) } }

    func release(_ name: String) {
        let waiting = state.withLock { state in
            state.held.remove(name)
            return state.waiting.removeValue(forKey: name) ?? []
        }
        for continuation in waiting { continuation.resume() }
    }

    func pass(_ name: String) async {
        await withCheckedContinuation { continuation in
            let held = state.withLock { state in
                state.started.insert(name)
                if state.held.contains(name) { state.waiting[name, default: []].append(continuation) }
                return state.held.contains(name)
            }
            if !held { continuation.resume() }
        }
    }
}

/// A booking saga (reserve → book, waiting for replies → notify) over a real SQLite file.
struct EngineFixture {
    let directory: TemporaryDirectory
    let clock = ManualSagaClock()
    let calls = ExternalCalls()
    let script = FailureScript()
    let held = HeldActions()
    let store: SagaStore
    let engine: SagaEngine<SagaStore>

    static let definitionYAML = """
        name: booking
        version: 1
        stuckAfter: 10m
        steps:
          - name: reserve
            action: reserve
            compensation: release
            timeout: 200ms
            retry: { maxAttempts: 3, initialBackoff: 1s, maxBackoff: 4s, multiplier: 2, jitter: none }
            compensationRetry: { maxAttempts: 2, initialBackoff: 5s, jitter: none }
          - name: book
            action: book
            compensation: cancel
            retry: { maxAttempts: 2, initialBackoff: 1s, jitter: none }
            wait: { event: reply, correlation: requestId, onEvent: collect, deadline: 1m, onDeadline: settle }
          - name: notify
            action: notify
            compensation: none
        """

    init(extraDefinitions: [String: String] = [:], store existing: SagaStore? = nil, directory existingDirectory: TemporaryDirectory? = nil) throws {
        directory = try existingDirectory ?? TemporaryDirectory(prefix: "saga-engine")
        let sagas = directory.url.appendingPathComponent("sagas")
        try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
        try Self.definitionYAML.write(to: sagas.appendingPathComponent("booking.yaml"), atomically: true, encoding: .utf8)
        for (name, text) in extraDefinitions {
            try text.write(to: sagas.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let handlers = Self.handlers(calls: calls, script: script, held: held)
        store = try existing ?? SagaStore(path: directory.path("sagas.sqlite"))
        engine = SagaEngine(
            store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers, clock: clock)
    }

    static func handlers(calls: ExternalCalls, script: FailureScript, held: HeldActions = HeldActions()) -> SQLiteSagaHandlers {
        var handlers = SQLiteSagaHandlers()
        func action(_ name: String, requiresCompensation: Bool, outcome: @escaping @Sendable (StepContext) -> StepOutcome = { _ in StepOutcome() }) {
            handlers.action(name, requiresCompensation: requiresCompensation) { context in
                calls.record("\(name) \(context.idempotencyKey) #\(context.attempt)")
                await held.pass(name)
                if let failure = script.next(name) {
                    if failure.kind == .timeout { try await Task.sleep(for: .seconds(5)) }
                    throw failure
                }
                return outcome(context)
            }
        }
        action("reserve", requiresCompensation: true) { _ in StepOutcome(dataPatch: ["reserved": true]) }
        action("book", requiresCompensation: true) { context in
            StepOutcome(
                messages: [OutboxMessage(id: "\(context.sagaID)-requested", topic: "requests", key: context.partitionKey, payload: Data("{}".utf8))],
                awaitCorrelation: "req-\(context.sagaID)")
        }
        action("notify", requiresCompensation: false) { context in
            StepOutcome(messages: [
                OutboxMessage(id: "\(context.sagaID)-confirmed", topic: "confirmations", key: context.partitionKey, payload: Data("{}".utf8))
            ])
        }
        for name in ["release", "cancel"] {
            handlers.compensation(name) { context in
                calls.record("\(name) \(context.idempotencyKey) #\(context.attempt)")
                if let failure = script.next(name) { throw failure }
            }
        }
        handlers.onEvent("collect") { context, payload in
            await held.pass("collect")
            if let failure = script.next("collect") { throw failure }
            let replies = (context.data["replies"]?.numberValue ?? 0) + 1
            if payload["accept"] == .bool(false) { return .fail(StepFailure(.conflict, "declined")) }
            return replies >= 2 ? .complete(StepOutcome(dataPatch: ["replies": .number(replies)])) : .keepWaiting(["replies": .number(replies)])
        }
        handlers.onDeadline("settle") { context in
            await held.pass("settle")
            return (context.data["replies"]?.numberValue ?? 0) >= 1
                ? .proceed(StepOutcome(dataPatch: ["partial": true])) : .fail(StepFailure(.timeout, "nobody replied"))
        }
        return handlers
    }

    func reply(_ sagaID: String, id: String, accept: Bool = true) async throws -> InboxOutcome {
        try await engine.deliver(
            InboundEvent(messageID: id, topic: "replies", type: "reply", correlation: "req-\(sagaID)", payload: ["accept": .bool(accept)]))
    }

    /// A reply event, not yet delivered.
    static func replyEvent(_ sagaID: String, id: String, accept: Bool = true) -> InboundEvent {
        InboundEvent(messageID: id, topic: "replies", type: "reply", correlation: "req-\(sagaID)", payload: ["accept": .bool(accept)])
    }

    func instance(_ id: String) async throws -> SagaInstance? {
        try await store.instance(id: id)
    }

    func outcomes(_ id: String) async throws -> [String] {
        try await store.stepLog(sagaID: id).map { "\($0.phase.rawValue):\($0.step ?? "-"):\($0.outcome.rawValue)" }
    }
}
