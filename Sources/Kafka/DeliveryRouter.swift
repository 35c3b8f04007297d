import Synchronization

/// Pairs each produced message with the task awaiting its delivery report. Ids travel
/// through librdkafka as the message's opaque pointer value.
final class DeliveryRouter: Sendable {
    private let waiting = Mutex<(next: Int, continuations: [Int: CheckedContinuation<KafkaDeliveryReport, any Error>])>((1, [:]))

    /// Registers a continuation and returns the id to attach to the message.
    func register(_ continuation: CheckedContinuation<KafkaDeliveryReport, any Error>) -> Int {
        waiting.withLock { state in
            let id = state.next
            state.next += 1
            state.continuations[id] = continuation
            return id
        }
    }

    /// Resumes the task waiting for message `id`.
    func deliver(_ id: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let continuation = waiting.withLock { $0.continuations.removeValue(forKey: id) }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }

    /// Fails every waiting task, e.g. when the producer is torn down.
    func failAll(_ error: KafkaError) {
        let continuations = waiting.withLock { state in
            defer { state.continuations = [:] }
            return Array(state.continuations.values)
        }
        for continuation in continuations { continuation.resume(throwing: error) }
    }
}
