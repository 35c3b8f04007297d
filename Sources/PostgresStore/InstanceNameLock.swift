package import Logging
import PostgresNIO

/// The instance's name, held for as long as the instance runs: a session-level advisory lock on
/// the name, on a connection of its own. A second live instance that gives the same name (the
/// same `SCHEDULER_INSTANCE_ID` in every replica's environment, say) cannot take it and is
/// refused at start-up; sharing a name would let two instances lead the relays at once and
/// renew each other's leases. A server restart drops the lock with its session (it is not
/// taken again), so the check is made at start-up only.
package final class InstanceNameLock: Sendable {
    private let holding: Task<Void, Never>
    private let release: AsyncStream<Void>.Continuation

    /// The first key of the instance names' advisory locks ("ins").
    static let lockSpace: Int32 = 0x69_6E73

    private init(holding: Task<Void, Never>, release: AsyncStream<Void>.Continuation) {
        self.holding = holding
        self.release = release
    }

    /// Takes `name`; throws `InstanceNameTaken` when a live instance holds it.
    package static func take(_ name: String, on database: PostgresDatabase) async throws -> InstanceNameLock {
        let (outcomes, reporting) = AsyncStream<Result<Bool, any Error>>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        let logger = database.logger
        let holding = Task {
            do {
                try await database.client.withConnection { connection in
                    var taken = false
                    let rows = try await connection.query("SELECT pg_try_advisory_lock(\(lockSpace), hashtext(\(name)))", logger: logger)
                    for try await got in rows.decode(Bool.self) { taken = got }
                    reporting.yield(.success(taken))
                    reporting.finish()
                    guard taken else { return }
                    for await _ in released {}
                    // Bounded: after a server restart the session (and its lock) is gone, and a
                    // query on the dropped connection can go unanswered (see `withDeadline`).
                    _ = try? await withDeadline(.seconds(2)) {
                        try await connection.query("SELECT pg_advisory_unlock(\(lockSpace), hashtext(\(name)))", logger: logger)
                    }
                }
            } catch {
                reporting.yield(.failure(error))
                reporting.finish()
            }
        }
        var results = outcomes.makeAsyncIterator()
        guard let outcome = await results.next(), try outcome.get() else {
            release.finish()
            await holding.value
            throw InstanceNameTaken(name: name)
        }
        return InstanceNameLock(holding: holding, release: release)
    }

    /// Gives the name up (a stopping instance).
    package func give() async {
        release.finish()
        await holding.value
    }
}

/// Another live instance runs under this name.
package struct InstanceNameTaken: Error, CustomStringConvertible {
    package let name: String
    package var description: String { "another live instance runs under the name \(name)" }
}
