import Synchronization

/// Wakes one waiting loop early: the engine's dispatcher when a saga becomes runnable, the
/// outbox relay when a message is written. A signal with nobody waiting is kept for the
/// next wait, so a wake-up is never lost between a look at the database and the sleep.
package final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    package init() {}

    /// Wakes the waiter, or the next one to wait. Safe from any thread, also synchronous ones.
    package func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal (at once if one came since the last wait) or after
    /// `timeout`. Meant for one waiter at a time.
    package func wait(timeout: Duration) async {
        if state.withLock({ state in
            defer { state.pending = false }
            return state.pending
        }) {
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self?.signal() }
        }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
        timer.cancel()
    }
}
