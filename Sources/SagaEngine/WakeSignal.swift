/// Wakes the dispatcher early: a saga was started, an event arrived, a worker finished.
actor WakeSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns at the next signal (at once if one came since the last wait) or after `timeout`.
    func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { await self?.signal() }
        }
        await withCheckedContinuation { waiter = $0 }
        pending = false
        timer.cancel()
    }
}
