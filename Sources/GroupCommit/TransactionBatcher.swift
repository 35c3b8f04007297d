import Dispatch
import GRDB
import Synchronization

/// Group commit: the writes of concurrent callers share one SQLite transaction, each in its
/// own savepoint, so that many sagas moving at once pay for one commit (one WAL sync)
/// instead of one each.
///
/// Every commit runs on the store's own writer queue, never on the caller's thread: a write
/// can wait on a disk sync, or for seconds in SQLite's busy handler while another connection
/// holds the write lock, and a cooperative thread held that long stops every other task of
/// the process with it. A write arriving while a batch commits joins the next one; the
/// queue keeps committing until nobody waits.
final class TransactionBatcher: Sendable {
    private typealias Pending = (run: @Sendable (Database) throws -> Void, resume: @Sendable (Result<Void, any Error>) -> Void)

    private let pool: DatabasePool
    private let queue = DispatchQueue(label: "saga-store.writer")
    /// Writes waiting for the next batch, and whether the queue is committing.
    private let state = Mutex<(pending: [Pending], busy: Bool)>(([], false))
    /// Transactions committed so far, to tell how well writes are batched.
    let commits = Atomic<Int>(0)

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        let run: @Sendable (Database) throws -> Void = { db in box.value = try work(db) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let starts = state.withLock { state -> Bool in
                state.pending.append((run: run, resume: { continuation.resume(with: $0) }))
                defer { state.busy = true }
                return !state.busy
            }
            if starts { queue.async { self.drainPending() } }
        }
        guard let value = box.value else { preconditionFailure("a committed write always stores its result") }
        return value
    }

    /// Commits waiting batches until none is left.
    private func drainPending() {
        while true {
            let batch = state.withLock { state -> [Pending] in
                defer { state.pending = [] }
                if state.pending.isEmpty { state.busy = false }
                return state.pending
            }
            if batch.isEmpty { return }
            for (item, result) in zip(batch, commit(batch)) { item.resume(result) }
        }
    }

    /// Runs `batch` in one transaction; a lone write needs no savepoint of its own.
    private func commit(_ batch: [Pending]) -> [Result<Void, any Error>] {
        commits.add(1, ordering: .relaxed)
        do {
            return try pool.write { db in
                if batch.count == 1 {
                    try batch[0].run(db)
                    return [.success(())]
                }
                return batch.map { item in
                    Result {
                        try db.inSavepoint {
                            try item.run(db)
                            return .commit
                        }
                    }
                }
            }
        } catch {
            return Array(repeating: .failure(error), count: batch.count)
        }
    }
}

/// Carries a write's result out of the batch; written once, inside the transaction, before
/// the caller is resumed.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}
