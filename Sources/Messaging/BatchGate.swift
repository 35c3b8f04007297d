import Synchronization

/// Lets a shutdown wait for the batch in hand to be settled and committed, and keeps the
/// pipeline from starting another once it has begun.
final class BatchGate: Sendable {
    private struct State {
        var busy = false
        var stopping = false
        var stopper: CheckedContinuation<Void, Never>?
        var outOfPatience = false
    }

    private let state = Mutex(State())

    /// Begins a batch; false once stopping (the batch is left alone, to be delivered again).
    func enter() -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.busy = true
            return true
        }
    }

    /// Ends a batch: its offsets are committed.
    func leave() {
        state.withLock { state in
            state.busy = false
            return state.stopper.take()
        }?.resume()
    }

    /// Starts no more batches; returns once the one in hand, if any, has ended, or after
    /// `patience`. Called once.
    func stop(waitingAtMost patience: Duration) async {
        let timer = Task {
            try? await Task.sleep(for: patience)
            state.withLock { state in
                state.outOfPatience = true
                return state.stopper.take()
            }?.resume()
        }
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                state.stopping = true
                let waits = state.busy && !state.outOfPatience
                if waits { state.stopper = continuation }
                return !waits
            }
            if done { continuation.resume() }
        }
        timer.cancel()
    }
}
