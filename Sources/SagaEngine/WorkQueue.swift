/// Saga ids waiting for a worker. An id already queued or being worked on is not queued
/// twice, which together with `KeyedLocks` keeps each saga strictly serial.
actor WorkQueue {
    private var queue: [String] = []
    private var head = 0
    private var known: Set<String> = []
    private var idleWorkers: [CheckedContinuation<String?, Never>] = []
    private var closed = false

    /// Queues `id`; returns false when it is already queued or running.
    @discardableResult
    func enqueue(_ id: String) -> Bool {
        guard !closed, known.insert(id).inserted else { return false }
        if idleWorkers.isEmpty {
            queue.append(id)
        } else {
            idleWorkers.removeFirst().resume(returning: id)
        }
        return true
    }

    /// The next id to work on, or nil once the queue is closed.
    func next() async -> String? {
        if head < queue.count {
            let id = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return id
        }
        if closed { return nil }
        return await withCheckedContinuation { idleWorkers.append($0) }
    }

    /// A worker is done with `id`; it may be queued again.
    func finished(_ id: String) {
        known.remove(id)
    }

    /// Wakes every idle worker with nil.
    func close() {
        closed = true
        for worker in idleWorkers { worker.resume(returning: nil) }
        idleWorkers = []
    }
}
