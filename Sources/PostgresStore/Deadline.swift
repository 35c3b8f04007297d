import Synchronization

/// `operation`'s result, or `DeadlineExceeded` once `limit` has passed. On the deadline the
/// operation is cancelled and left to end by itself. A query issued while the server shuts
/// down for a restart was seen here to stay unanswered for over a minute (postgres-nio 1.33.2,
/// PostgreSQL 15), so a caller that must go on (a relay that retries) cannot wait for it.
package func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    let work = Task {
        do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
    }
    let timer = Task {
        try await Task.sleep(for: limit)
        outcome.finish(.failure(DeadlineExceeded(limit: limit)))
        work.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in outcome.await(continuation) }
    } onCancel: {
        outcome.finish(.failure(CancellationError()))
        work.cancel()
    }
}

/// The first of several results, handed to the one waiter whenever it comes.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(waiter: CheckedContinuation<T, any Error>?, result: Result<T, any Error>?)>((nil, nil))

    func finish(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            return state.waiter.take()
        }
        waiter?.resume(with: result)
    }

    func await(_ continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            if let result = state.result { return result }
            state.waiter = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }
}

/// How long a call on a shared database may wait for its answer before it gives up, unless a
/// caller chooses otherwise.
package let defaultAnswerLimit: Duration = .seconds(10)

/// An operation on the database did not finish within its limit.
package struct DeadlineExceeded: Error, CustomStringConvertible {
    package let limit: Duration

    package init(limit: Duration) {
        self.limit = limit
    }

    package var description: String { "the database did not answer within \(limit)" }
}
