import Logging
package import PostgresNIO
package import SagaCore

/// Wakes a relay when any instance commits outbox messages: a transaction that writes them
/// sends `NOTIFY outbox`, which PostgreSQL delivers at its commit, and this object listens
/// for it on one connection of the pool for as long as it lives. After each (re)connection it
/// signals once, so that a message committed while nobody listened is looked for too.
package final class PostgresOutboxNotifications: Sendable {
    /// The channel transactions notify on.
    static let channel = "outbox"

    package let signal: WakeSignal
    private let listening: Task<Void, Never>

    package init(database: PostgresDatabase, retryAfter: Duration = .seconds(1)) {
        let signal = WakeSignal()
        self.signal = signal
        listening = Task {
            while !Task.isCancelled {
                do {
                    try await database.client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            signal.signal()
                            for try await _ in notifications { signal.signal() }
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    database.logger.warning("not listening for outbox notifications; retrying", metadata: ["error": "\(error)"])
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
