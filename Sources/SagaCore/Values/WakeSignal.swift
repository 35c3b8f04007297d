import Synchronization

/// Wakes a waiting loop early: the engine's dispatcher when a saga becomes runnable, the
/// outbox relay when a message is written. A signal that finds a waiter not yet asleep is
/// kept for its next look, so a wake-up is never lost between a look at the database and
/// the sleep.
package final class WakeSignal: Sendable {
    private struct State {
        /// A signal came while nobody slept.
        var pending = false
        /// Every wait in progress, and whether its own timeout or cancellation already came.
        var waits: [UInt64: Bool] = [:]
        /// The waits that are asleep.
        var sleepers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Wakes every waiter, or the next one to wait. Safe from any thread, also synchronous ones.
    package func signal() {
        let sleepers = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            // Nobody asleep, or someone about to fall asleep: keep it for their next look.
            if state.sleepers.isEmpty || state.sleepers.count < state.waits.count { state.pending = true }
            defer { state.sleepers = [:] }
            return Array(state.sleepers.values)
        }
        for sleeper in sleepers { sleeper.resume() }
    }

    /// Returns at the next signal (at once if one came since the last wait), after
    /// `timeout`, or when the task is cancelled.
    package func wait(timeout: Duration) async {
        let ticket = state.withLock { state -> UInt64? in
            if state.pending {
                state.pending = false
                return nil
            }
            defer { state.nextTicket += 1 }
            state.waits[state.nextTicket] = false
            return state.nextTicket
        }
        guard let ticket else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self?.wake(ticket) }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.pending || state.waits[ticket] == true || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.sleepers[ticket] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            wake(ticket)
        }
        timer.cancel()
        state.withLock { _ = $0.waits.removeValue(forKey: ticket) }
    }

    /// Ends one wait: resumes it if asleep, or tells it not to fall asleep.
    private func wake(_ ticket: UInt64) {
        let sleeper = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let sleeper = state.sleepers.removeValue(forKey: ticket) { return sleeper }
            if state.waits[ticket] != nil { state.waits[ticket] = true }
            return nil
        }
        sleeper?.resume()
    }
}
