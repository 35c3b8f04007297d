import Dispatch
package import GRDB
import Synchronization

/// Group commit: the writes of concurrent callers share one SQLite transaction, each in its
/// own savepoint, so that many callers writing at once pay for one commit (one sync of the
/// file) instead of one each. A write that fails rolls back its own savepoint only.
///
/// Every commit runs on the batcher's own queue, never on the caller's thread: a write can
/// wait on a disk sync, or for seconds in SQLite's busy handler while another connection
/// holds the write lock, and a cooperative thread held that long stops every other task of
/// the process with it. A write arriving while a batch commits joins the next one; the
/// queue keeps committing until nobody waits. A write once submitted runs even if its task is
/// cancelled meanwhile: its caller gets the result.
package final class TransactionBatcher<Writer: DatabaseWriter>: Sendable {
    private typealias Pending = (run: @Sendable (Database) throws -> Void, resume: @Sendable (Result<Void, any Error>) -> Void)

    private let writer: Writer
    private let queue: DispatchQueue
    /// Writes waiting for the next batch, whether the queue is committing, and how many writes
    /// the batch it commits holds.
    private let state = Mutex<(pending: [Pending], busy: Bool, committing: Int)>(([], false, 0))
    private let commits = Atomic<Int>(0)
    /// Transactions committed so far.
    package var committed: Int { commits.load(ordering: .relaxed) }
    /// Writes submitted and not yet answered: those waiting for the next batch and those of
    /// the batch committing now.
    package var unanswered: Int { state.withLock { $0.pending.count + $0.committing } }

    /// Batches the writes to `writer`; `label` names the queue that commits them.
    package init(writer: Writer, label: String) {
        self.writer = writer
        self.queue = DispatchQueue(label: label)
    }

    /// Runs `work` in the next shared transaction; returns its result once that transaction
    /// has committed, or throws its error (or the commit's).
    package func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
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
                state.committing = state.pending.count
                return state.pending
            }
            if batch.isEmpty { return }
            let results = commit(batch)
            state.withLock { $0.committing = 0 }
            for (item, result) in zip(batch, results) { item.resume(result) }
        }
    }

    /// Runs `batch` in one transaction; a lone write needs no savepoint of its own.
    private func commit(_ batch: [Pending]) -> [Result<Void, any Error>] {
        do {
            let results = try writer.write { db -> [Result<Void, any Error>] in
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
            commits.add(1, ordering: .relaxed)
            return results
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
