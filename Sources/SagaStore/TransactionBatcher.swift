import GRDB

/// Groups the writes of concurrent callers into one SQLite transaction, each in its own
/// savepoint, so that many sagas moving at once pay for one commit (one WAL sync) instead
/// of one each. A lone caller is committed at once; callers arriving while a commit runs
/// form the next batch.
actor TransactionBatcher {
    private typealias Pending = (run: @Sendable (Database) throws -> Void, resume: @Sendable (Result<Void, any Error>) -> Void)

    private let pool: DatabasePool
    private var pending: [Pending] = []
    private var flushing = false

    init(pool: DatabasePool) {
        self.pool = pool
    }

    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.append((
                run: { db in box.value = try work(db) },
                resume: { continuation.resume(with: $0) }))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
        guard let value = box.value else { preconditionFailure("a committed write always stores its result") }
        return value
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let results: [Result<Void, any Error>]
            do {
                results = try await pool.write { db in
                    batch.map { item in
                        Result {
                            try db.inSavepoint {
                                try item.run(db)
                                return .commit
                            }
                        }
                    }
                }
            } catch {
                results = Array(repeating: .failure(error), count: batch.count)
            }
            for (item, result) in zip(batch, results) { item.resume(result) }
        }
        flushing = false
    }
}

/// Carries a write's result out of the batch; written once, inside the transaction, before
/// the caller is resumed.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}
