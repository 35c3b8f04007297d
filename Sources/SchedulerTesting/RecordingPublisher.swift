import SagaCore
import SagaEngine
import Synchronization

/// An outbox publisher that keeps what it was given and can be told to fail.
public final class RecordingPublisher: OutboxPublisher {
    private let state = Mutex<(messages: [OutboxMessage], failing: Bool)>(([], false))

    public init() {}

    public var messages: [OutboxMessage] { state.withLock { $0.messages } }

    /// While true, every publish throws.
    public func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    public func publish(_ message: OutboxMessage) async throws {
        try state.withLock { state in
            if state.failing { throw StepFailure(.transient, "broker unavailable") }
            state.messages.append(message)
        }
    }
}
