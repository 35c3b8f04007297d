import Synchronization

/// Pairs each produced message with the task awaiting its delivery report. Ids travel
/// through librdkafka as the message's opaque pointer value.
final class DeliveryRouter: Sendable {
    private struct State {
        var next = 1
        var continuations: [Int: CheckedContinuation<KafkaDeliveryReport, any Error>] = [:]
        var closed: KafkaError?
    }

    private let state = Mutex(State())

    /// Registers a continuation and returns the id to attach to the message; once closed,
    /// fails the continuation instead and returns nil.
    func register(_ continuation: CheckedContinuation<KafkaDeliveryReport, any Error>) -> Int? {
        let outcome = state.withLock { state -> Result<Int, KafkaError> in
            if let closed = state.closed { return .failure(closed) }
            let id = state.next
            state.next += 1
            state.continuations[id] = continuation
            return .success(id)
        }
        switch outcome {
        case .success(let id): return id
        case .failure(let error):
            continuation.resume(throwing: error)
            return nil
        }
    }

    /// Resumes the task waiting for message `id`.
    func deliver(_ id: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let continuation = state.withLock { $0.continuations.removeValue(forKey: id) }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }

    /// Fails every waiting task and every later registration, e.g. when the producer is torn down.
    func close(_ error: KafkaError) {
        let continuations = state.withLock { state in
            defer { state.continuations = [:] }
            state.closed = state.closed ?? error
            return Array(state.continuations.values)
        }
        for continuation in continuations { continuation.resume(throwing: error) }
    }
}
