import Synchronization

/// Lets a shutdown wait for the batch in hand to be settled and committed, keeps the pipeline
/// from starting another once it has begun, and stops the batch when patience runs out.
final class BatchGate: Sendable {
    private struct State {
        var busy = false
        var stopping = false
        var stopper: CheckedContinuation<Void, Never>?
        var outOfPatience = false
        /// Stops the batch in hand (cancels its task).
        var cancel: (@Sendable () -> Void)?
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

    /// Names how to stop the batch in hand, which runs at once if patience has run out.
    func whenOutOfPatience(_ cancel: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            if !state.outOfPatience { state.cancel = cancel }
            return state.outOfPatience
        }
        if now { cancel() }
    }

    /// Ends a batch: its offsets are committed.
    func leave() {
        state.withLock { state in
            state.busy = false
            state.cancel = nil
            return state.stopper.take()
        }?.resume()
    }

    /// Starts no more batches; returns once the one in hand, if any, has ended, or after
    /// `patience`, once that batch has been told to stop (cancelled; it may still be
    /// finishing). Called once.
    func stop(waitingAtMost patience: Duration) async {
        let timer = Task {
            guard (try? await Task.sleep(for: patience)) != nil else { return }
            let (stopper, cancel) = state.withLock { state in
                state.outOfPatience = true
                return (state.stopper.take(), state.cancel.take())
            }
            cancel?()
            stopper?.resume()
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
