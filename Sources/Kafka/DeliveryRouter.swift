import Synchronization

/// Pairs each produced message with its delivery report. Ids travel through librdkafka as
/// the message's opaque pointer value. A report may come before anyone awaits it (a batch
/// is enqueued first and awaited afterwards); it is kept until then.
final class DeliveryRouter: Sendable {
    private enum Slot {
        case reserved
        case waiting(CheckedContinuation<KafkaDeliveryReport, any Error>)
        case delivered(Result<KafkaDeliveryReport, any Error>)
    }

    private struct State {
        var next = 1
        var slots: [Int: Slot] = [:]
        var closed: KafkaError?
    }

    private let state = Mutex(State())

    /// A new id for a message about to be produced; throws once closed.
    func reserve() throws(KafkaError) -> Int {
        try state.withLock { state throws(KafkaError) -> Int in
            if let closed = state.closed { throw closed }
            let id = state.next
            state.next += 1
            state.slots[id] = .reserved
            return id
        }
    }

    /// Forgets an id whose message librdkafka did not take.
    func discard(_ id: Int) {
        _ = state.withLock { $0.slots.removeValue(forKey: id) }
    }

    /// Records message `id`'s report and resumes whoever awaits it.
    func deliver(_ id: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let waiting = state.withLock { state -> CheckedContinuation<KafkaDeliveryReport, any Error>? in
            switch state.slots[id] {
            case .waiting(let continuation)?:
                state.slots[id] = nil
                return continuation
            case .reserved?:
                state.slots[id] = .delivered(result.mapError { $0 })
                return nil
            case .delivered?, nil:
                return nil
            }
        }
        waiting?.resume(with: result.mapError { $0 as any Error })
    }

    /// The report for message `id`, waiting for it if it has not come yet.
    func report(for id: Int) async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<KafkaDeliveryReport, any Error>? in
                switch state.slots[id] {
                case .reserved?:
                    state.slots[id] = .waiting(continuation)
                    return nil
                case .delivered(let result)?:
                    state.slots[id] = nil
                    return result
                case .waiting?, nil:
                    return .failure(state.closed ?? KafkaError.closed("delivery \(id)"))
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Fails every message without a report and refuses new ones, e.g. when the producer is
    /// torn down.
    func close(_ error: KafkaError) {
        let waiting = state.withLock { state -> [CheckedContinuation<KafkaDeliveryReport, any Error>] in
            state.closed = state.closed ?? error
            var waiting: [CheckedContinuation<KafkaDeliveryReport, any Error>] = []
            for (id, slot) in state.slots {
                switch slot {
                case .reserved: state.slots[id] = .delivered(.failure(error))
                case .waiting(let continuation):
                    waiting.append(continuation)
                    state.slots[id] = nil
                case .delivered: break
                }
            }
            return waiting
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }
}
