import Logging
import PostgresNIO

/// The instance's name, held for as long as the instance runs: a session-level advisory lock on
/// the name, on a connection of its own. A second live instance that gives the same name (the
/// same `SCHEDULER_INSTANCE_ID` in every replica's environment, say) cannot take it and is
/// refused at start-up; sharing a name would let two instances lead the relays at once and
/// renew each other's leases.
///
/// A server restart (or anything else that ends the session) drops the lock. The holder checks
/// its connection every `checkEvery` and, when it is gone, takes the name again on a new one;
/// if another instance took it meanwhile, the name is lost (`lost()` returns), and the
/// instance must stop. A refusal is taken for a loss only when the holder is not a session of
/// this instance's own (see `InstanceNameSessions`): one of its own may still hold the name
/// after a look that timed out or a retake answered too late, and is then ended instead.
package final class InstanceNameLock: Sendable {
    private let holding: Task<Void, Never>
    private let ticking: Task<Void, Never>
    private let events: HolderEvents
    private let lostSignal: AsyncStream<Void>
    private let state: NameState
    private let limit: Duration
    /// The statements on the name's sessions, and the mark they carry.
    let sessions: InstanceNameSessions

    enum Event {
        case check, release
    }

    /// How a hold of the name ended.
    private enum HoldEnded {
        case released, refused, connectionLost
    }

    private init(
        holding: Task<Void, Never>, ticking: Task<Void, Never>, events: HolderEvents, lost: AsyncStream<Void>, state: NameState, limit: Duration,
        sessions: InstanceNameSessions
    ) {
        self.holding = holding
        self.ticking = ticking
        self.events = events
        self.lostSignal = lost
        self.state = state
        self.limit = limit
        self.sessions = sessions
    }

    /// Whether another instance has taken the name (see `lost()`).
    package var isLost: Bool { state.isLost }

    /// How long the first take may wait for each of the server's answers (the service's start-up).
    static let firstAnswerLimit: Duration = .seconds(10)

    /// Takes `name`; throws `InstanceNameTaken` when a live instance holds it.
    package static func take(
        _ name: String, on database: PostgresDatabase, checkEvery interval: Duration = .seconds(5)
    ) async throws
        -> InstanceNameLock
    {
        try await take(name, on: database, checkEvery: interval, answerWithin: .seconds(2), afterAnswer: nil)
    }

    /// `take`, with the bound on each later look and retake's answer, and `afterAnswer` run
    /// with the session's server process after each answer to the lock's query, within that
    /// bound (a test makes an answer late).
    static func take(
        _ name: String, on database: PostgresDatabase, checkEvery interval: Duration, answerWithin limit: Duration,
        afterAnswer: (@Sendable (Int32) async -> Void)?
    ) async throws
        -> InstanceNameLock
    {
        let (outcomes, reporting) = AsyncStream<Result<Bool, any Error>>.makeStream()
        let events = HolderEvents()
        let (lost, losing) = AsyncStream<Void>.makeStream()
        let state = NameState()
        let sessions = InstanceNameSessions(name: name, logger: database.logger)
        let logger = database.logger
        let holding = Task {
            var first = true
            while true {
                let wasFirst = first
                let answerLimit = wasFirst ? firstAnswerLimit : limit
                let ended: HoldEnded
                do {
                    ended = try await database.client.withConnection { connection in
                        let taken: Bool
                        do {
                            // Bounded, as every call on a connection that may have been dropped (see `withDeadline`).
                            let session = try await withDeadline(answerLimit) { try await sessions.mark(connection) }
                            taken = try await withDeadline(answerLimit) {
                                let taken = try await sessions.tryLock(on: connection)
                                await afterAnswer?(session)
                                return taken
                            }
                        } catch {
                            // The lock may have been granted all the same (an answer too late, a
                            // cancelled wait): the session is closed, not handed back to the pool
                            // holding the name, and ended below if it lingers.
                            _ = try? await withDeadline(.seconds(1)) { try await connection.close() }
                            if wasFirst || !(error is DeadlineExceeded) { throw error }
                            return .connectionLost
                        }
                        if wasFirst {
                            reporting.yield(.success(taken))
                            reporting.finish()
                        } else if taken {
                            logger.notice("the instance's name is held again after its database session ended", metadata: ["instance": "\(name)"])
                        }
                        first = false
                        guard taken else { return .refused }
                        looking: while let event = await events.next() {
                            switch event {
                            case .release: break looking
                            case .check:
                                do {
                                    _ = try await withDeadline(limit) { try await connection.query("SELECT 1", logger: logger).collect() }
                                } catch {
                                    // Gone, or stalled: closed, so that a live session gives the name up.
                                    _ = try? await withDeadline(.seconds(1)) { try await connection.close() }
                                    return .connectionLost
                                }
                            }
                        }
                        // Released, or nothing more will be asked: every hold of the session's given
                        // up, or, failing that, the session closed and ended from another.
                        do {
                            try await withDeadline(limit) { try await sessions.unlockAll(on: connection) }
                        } catch {
                            _ = try? await withDeadline(.seconds(1)) { try await connection.close() }
                            _ = try? await withDeadline(limit) { try await sessions.endOwnHolders(on: database) }
                        }
                        return .released
                    }
                } catch {
                    if wasFirst {
                        reporting.yield(.failure(error))
                        reporting.finish()
                        return
                    }
                    // The server is away: wait for the next look, then try again.
                    guard await events.next() == .check else { return }
                    continue
                }
                switch ended {
                case .released: return
                case .connectionLost: continue
                case .refused:
                    guard !wasFirst else { return }
                    let holders: [NameHolder]
                    do {
                        holders = try await withDeadline(limit) { try await sessions.holders(on: database) }
                    } catch {
                        // Who holds it cannot be told now: asked again at the next look.
                        guard await events.next() == .check else { return }
                        continue
                    }
                    switch Refusal(holders: holders) {
                    case .holderLeft:
                        try? await Task.sleep(for: .milliseconds(200))
                        continue
                    case .ownSession:
                        _ = try? await withDeadline(limit * 2) { try await sessions.endOwnHolders(on: database) }
                        try? await Task.sleep(for: .milliseconds(200))
                        continue
                    case .anotherInstance: break
                    }
                    logger.error(
                        "another instance took this instance's name while its database session was gone; this instance must stop",
                        metadata: ["instance": "\(name)"])
                    state.markLost()
                    losing.finish()
                    return
                }
            }
        }
        var results = outcomes.makeAsyncIterator()
        let outcome = await results.next()
        guard let outcome, try outcome.get() else {
            events.finish()
            await holding.value
            // No outcome: this task was cancelled while the name was being taken.
            if outcome == nil { throw CancellationError() }
            throw InstanceNameTaken(name: name)
        }
        let ticking = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                events.send(.check)
            }
        }
        return InstanceNameLock(holding: holding, ticking: ticking, events: events, lost: lost, state: state, limit: limit, sessions: sessions)
    }

    /// Looks at the connection now instead of at the next interval (for tests).
    package func checkNow() {
        events.send(.check)
    }

    /// Returns when another instance has taken the name (while this one's session was gone).
    package func lost() async {
        for await _ in lostSignal {}
    }

    /// Gives the name up (a stopping instance). Bounded: while the server is away the holder
    /// waits for a connection, and is then stopped instead (the session, and the name with it,
    /// is gone anyway).
    package func give() async {
        ticking.cancel()
        events.send(.release)
        events.finish()
        let holding = holding
        if (try? await withDeadline(limit * 2 + .seconds(2), { await holding.value })) == nil { holding.cancel() }
    }
}

/// Another live instance runs under this name.
package struct InstanceNameTaken: Error, CustomStringConvertible {
    package let name: String
    package var description: String { "another live instance runs under the name \(name)" }
}
