import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTestScopes
import SchedulerTesting
import Synchronization
import Testing

/// A saga store, an engine whose `await` saga waits for `scheduling.availability`, and
/// helpers for building catalog messages.
struct MessagingFixture {
    let directory: TemporaryDirectory
    let store: SagaStore
    let engine: SagaEngine<SagaStore>
    let decoder: InboundEventDecoder

    /// `failingCollects`: how many times the saga's event handler fails (transiently) first.
    init(maximumMessageSize: Int = 1_048_576, failingCollects: Int = 0) throws {
        decoder = InboundEventDecoder(maximumSize: maximumMessageSize)
        directory = try TemporaryDirectory(prefix: "messaging")
        let sagas = directory.url.appendingPathComponent("sagas")
        try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
        try """
        name: await
        version: 1
        steps:
          - name: ask
            action: ask
            compensation: none
            wait: { event: scheduling.availability, correlation: requestId, onEvent: collect, deadline: 1h }
        """.write(to: sagas.appendingPathComponent("await.yaml"), atomically: true, encoding: .utf8)
        var handlers = SQLiteSagaHandlers()
        handlers.action("ask", requiresCompensation: false) { context in StepOutcome(awaitCorrelation: context.sagaID) }
        let failuresLeft = Atomic(failingCollects)
        handlers.onEvent("collect") { _, payload in
            if failuresLeft.subtract(1, ordering: .relaxed).newValue >= 0 { throw StepFailure(.transient, "calendar unreachable") }
            return .complete(StepOutcome(dataPatch: ["conflicts": .number(Double(payload["conflicts"]?.arrayValue?.count ?? 0))]))
        }
        store = try SagaStore(path: directory.path("service.sqlite"))
        engine = SagaEngine(store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers)
    }

    /// A development cluster and a fixture for one test. Both are kept until the test's other
    /// after-test work (closing its clients, registered later, so run earlier) is done.
    static func withCluster(failingCollects: Int = 0) async throws -> (cluster: DevelopmentCluster, fixture: MessagingFixture) {
        let cluster = try await DevelopmentCluster.start()
        let fixture = try MessagingFixture(failingCollects: failingCollects)
        let directory = fixture.directory
        afterTest {
            withExtendedLifetime(cluster) {}
            directory.remove()
        }
        return (cluster, fixture)
    }

    /// A producer on `cluster`, shut down after the test.
    static func producer(on cluster: DevelopmentCluster) throws -> KafkaProducer {
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        return producer
    }

    /// The service's handler for availability replies: validate, then deliver to the saga.
    var availabilityHandler: InboundPipeline.Handler {
        { [decoder, engine] message in
            let envelope = try decoder.availability(message.value)
            let payload = try JSONValue.encoding(envelope.data)
            _ = try await engine.deliver(
                InboundEvent(
                    messageID: envelope.eventId, topic: message.topic, type: envelope.eventType,
                    correlation: envelope.data.requestId, payload: payload))
        }
    }

    static func availabilityJSON(eventID: String, requestID: String) -> String {
        #"{"eventId":"\#(eventID)","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"\#(requestID)","availability":[{"start":"2026-03-10T14:00:00Z","end":"2026-03-10T15:00:00Z","available":true}],"conflicts":[{"start":"2026-03-10T16:00:00Z","end":"2026-03-10T17:00:00Z","reason":"Existing meeting"}]},"metadata":{"service":"calendar","version":"1.0"},"futureField":42}"#
    }
}

/// Runs `kcat` with arguments and input.
func kcat(_ arguments: [String], input: String = "") async throws -> ChildProcess.Result {
    try await ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/kcat"), arguments: arguments).run(input: Data(input.utf8))
}

/// The result of `operation`, or nil when it has not finished within `seconds`, so that a
/// hang fails the test instead of stalling the run (a hung operation is left behind).
func finishing<T: Sendable>(within seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
    let gate = OnceGate<T?>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.waiting.withLock { $0 = continuation }
        Task {
            do { gate.open(with: .success(try await operation())) } catch { gate.open(with: .failure(error)) }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            gate.open(with: .success(nil))
        }
    }
}

/// Resumes one continuation once, with whichever result comes first.
final class OnceGate<T: Sendable>: Sendable {
    let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func open(with result: Result<T, any Error>) {
        waiting.withLock { $0.take() }?.resume(with: result)
    }
}
