import Synchronization

/// Whether the name was lost to another instance.
final class NameState: Sendable {
    private let lost = Mutex(false)
    var isLost: Bool { lost.withLock { $0 } }
    func markLost() { lost.withLock { $0 = true } }
}

/// What the holder of a name is asked to do, one at a time, in order; `next()` is nil once
/// finished and nothing is left.
final class HolderEvents: Sendable {
    private struct State {
        var queued: [InstanceNameLock.Event] = []
        var waiting: CheckedContinuation<InstanceNameLock.Event?, Never>?
        var finished = false
    }
    private let state = Mutex(State())

    func send(_ event: InstanceNameLock.Event) {
        let waiting = state.withLock { state -> CheckedContinuation<InstanceNameLock.Event?, Never>? in
            guard !state.finished else { return nil }
            // Looks that pile up while the holder waits for the server are one look.
            if event == .check, state.queued.contains(.check) { return nil }
            if let waiting = state.waiting {
                state.waiting = nil
                return waiting
            }
            state.queued.append(event)
            return nil
        }
        waiting?.resume(returning: event)
    }

    func finish() {
        let waiting = state.withLock { state -> CheckedContinuation<InstanceNameLock.Event?, Never>? in
            state.finished = true
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume(returning: nil)
    }

    func next() async -> InstanceNameLock.Event? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> InstanceNameLock.Event?? in
                if !state.queued.isEmpty { return .some(state.queued.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiting = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
