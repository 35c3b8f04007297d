import Logging
import PostgresNIO
package import SagaCore
import Synchronization

/// Wakes a relay when any instance commits outbox messages: a transaction that writes them
/// sends `NOTIFY outbox` (or another channel: the candidate's mail outbox has its own), which
/// PostgreSQL delivers at its commit, and this object listens for it on one connection of the
/// pool for as long as it lives (or until the database is closed). After each (re)connection it signals once, so that a message committed while
/// nobody listened is looked for too; while it cannot listen, it signals once a retry.
///
/// PostgreSQL commits notifying transactions one at a time (a global lock held through the
/// commit), so on a busy database this costs commit concurrency among the transactions that
/// write outbox messages; not measured yet.
package final class PostgresOutboxNotifications: Sendable {
    /// The channel transactions that write the (Kafka) outbox notify on.
    static let channel = "outbox"

    package let signal: WakeSignal
    private let listening: Task<Void, Never>

    package init(database: PostgresDatabase, channel: String = PostgresOutboxNotifications.channel, retryAfter: Duration = .seconds(1)) {
        let signal = WakeSignal()
        self.signal = signal
        listening = Task {
            while !Task.isCancelled {
                do {
                    try await database.client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            signal.signal()
                            for try await _ in notifications { signal.signal() }
                        }
                    }
                } catch {
                    if Task.isCancelled || database.isClosed { return }
                    database.logger.warning(
                        "not listening for outbox notifications; retrying", metadata: ["channel": "\(channel)", "error": "\(error)"])
                    signal.signal()  // look while not listening
                    try? await Task.sleep(for: retryAfter)
                }
            }
        }
    }

    deinit {
        listening.cancel()
    }
}
