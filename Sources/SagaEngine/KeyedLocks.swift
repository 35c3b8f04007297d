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

    /// Takes the lock of each key that nobody holds; returns the keys taken.
    private func lockFree(_ keys: Set<String>) -> Set<String> {
        var taken = Set<String>()
        for key in keys where waiters[key] == nil {
            waiters[key] = []
            taken.insert(key)
        }
        return taken
    }

    private func unlock(all keys: Set<String>) {
        for key in keys { unlock(key) }
    }

    /// Runs `body` holding the locks of those `keys` that nobody held; `body` learns which
    /// were busy. It never waits, so it cannot deadlock with anyone, and it does not sit
    /// behind a saga that a worker is moving through slow steps.
    nonisolated func withFreeLocks<T: Sendable>(_ keys: Set<String>, _ body: (_ busy: Set<String>) async throws -> T) async throws -> T {
        let taken = await lockFree(keys)
        do {
            let result = try await body(keys.subtracting(taken))
            await unlock(all: taken)
            return result
        } catch {
            await unlock(all: taken)
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
