import Foundation

/// Saga ids waiting for a worker. An id already queued or being worked on is not queued
/// twice, which together with `KeyedLocks` keeps each saga strictly serial. A saga that could
/// not be moved (no definition, a failing store) is parked, with a backoff doubling from 1 s
/// to a minute, so that the dispatcher does not spin on it.
actor WorkQueue {
    private var queue: [String] = []
    private var head = 0
    private var known: Set<String> = []
    private var parked: [String: (until: Date, failures: Int)] = [:]
    /// Ids claimed again while being worked on (a shared store): queued again once finished.
    private var claimedAgain: Set<String> = []
    private var idleWorkers: [CheckedContinuation<String?, Never>] = []
    private var closed = false

    /// What `enqueue` did with an id.
    enum Enqueued {
        case queued
        /// Queued or being worked on already.
        case present
        /// Parked past now (or the queue is closed): not queued.
        case refused
    }

    /// Queues `id` unless it is queued or running already, or parked past `now`. `claimed`: the
    /// id was just claimed from a shared store; when it is present already (its worker may be
    /// finishing, having given the claim up just before), it is queued again once that worker
    /// finishes, so that the claim does not wait, unworked, to lapse.
    @discardableResult
    func enqueue(_ id: String, now: Date, claimed: Bool = false) -> Enqueued {
        if let park = parked[id], park.until > now { return .refused }
        guard !closed else { return .refused }
        guard known.insert(id).inserted else {
            if claimed { claimedAgain.insert(id) }
            return .present
        }
        if idleWorkers.isEmpty {
            queue.append(id)
        } else {
            idleWorkers.removeFirst().resume(returning: id)
        }
        return .queued
    }

    /// How many ids are queued or being worked on.
    var inProgress: Int { known.count }

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

    /// A worker is done with `id`; it may be queued again, after a backoff if it `stalled`.
    /// Returns true when the id had been claimed again meanwhile but is not queued again
    /// (parked now, or the queue closed): the caller gives that claim up.
    @discardableResult
    func finished(_ id: String, stalled: Bool, now: Date) -> Bool {
        known.remove(id)
        let wanted = claimedAgain.remove(id) != nil
        guard stalled else {
            parked[id] = nil
            return wanted && enqueue(id, now: now) == .refused
        }
        let failures = (parked[id]?.failures ?? 0) + 1
        parked[id] = (now.addingTimeInterval(min(60, Double(1 << min(failures - 1, 6)))), failures)
        return wanted
    }

    /// The ids parked past `now`: a dispatcher does not claim them.
    func parkedIDs(after now: Date) -> Set<String> {
        Set(parked.filter { $0.value.until > now }.keys)
    }

    /// When the first parked saga may run again, if one is parked past `now`. Forgets
    /// parkings that are over for sagas no longer queued (settled meanwhile, or not due).
    func nextUnpark(after now: Date) -> Date? {
        parked = parked.filter { $0.value.until > now || known.contains($0.key) }
        return parked.values.map(\.until).filter { $0 > now }.min()
    }

    /// Wakes every idle worker with nil.
    func close() {
        closed = true
        for worker in idleWorkers { worker.resume(returning: nil) }
        idleWorkers = []
    }
}
