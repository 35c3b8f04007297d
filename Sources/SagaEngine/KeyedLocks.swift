/// One async mutex per key: at most one task at a time works on a given saga.
actor KeyedLocks {
    /// A key is locked while present; its value lists the tasks waiting for it, in order.
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func lock(_ key: String) async {
        guard waiters[key] != nil else {
            waiters[key] = []
            return
        }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    func unlock(_ key: String) {
        guard var queue = waiters[key] else { return }
        if queue.isEmpty {
            waiters[key] = nil
        } else {
            let next = queue.removeFirst()
            waiters[key] = queue
            next.resume()
        }
    }

    /// Takes every key's lock, one after another in the order given.
    private func lock(all keys: [String]) async {
        for key in keys { await lock(key) }
    }

    private func unlock(all keys: [String]) {
        for key in keys { unlock(key) }
    }

    /// Runs `body` holding the locks of all `keys`. They are taken in sorted order, so two
    /// callers wanting overlapping sets cannot each hold what the other waits for (every
    /// other caller holds one lock at a time).
    nonisolated func withLocks<T: Sendable>(_ keys: Set<String>, _ body: () async throws -> T) async throws -> T {
        let ordered = keys.sorted()
        await lock(all: ordered)
        do {
            let result = try await body()
            await unlock(all: ordered)
            return result
        } catch {
            await unlock(all: ordered)
            throw error
        }
    }

    /// Runs `body` holding `key`'s lock.
    nonisolated func withLock<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await lock(key)
        do {
            let result = try await body()
            await unlock(key)
            return result
        } catch {
            await unlock(key)
            throw error
        }
    }
}
