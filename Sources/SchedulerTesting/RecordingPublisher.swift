package import SagaCore
import SagaEngine
import Synchronization

/// An outbox publisher that keeps what it was given and can be told to fail.
package final class RecordingPublisher: OutboxPublisher {
    private let state = Mutex<(messages: [OutboxMessage], failing: Bool)>(([], false))

    package init() {}

    package var messages: [OutboxMessage] { state.withLock { $0.messages } }

    /// While true, every publish throws.
    package func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    package func publish(_ message: OutboxMessage) async throws {
        try state.withLock { state in
            if state.failing { throw StepFailure(.transient, "broker unavailable") }
            state.messages.append(message)
        }
    }
}
