package import Logging
import PostgresNIO
import Synchronization

/// The instance's name, held for as long as the instance runs: a session-level advisory lock on
/// the name, on a connection of its own. A second live instance that gives the same name (the
/// same `SCHEDULER_INSTANCE_ID` in every replica's environment, say) cannot take it and is
/// refused at start-up; sharing a name would let two instances lead the relays at once and
/// renew each other's leases.
///
/// A server restart (or anything else that ends the session) drops the lock. The holder checks
/// its connection every `checkEvery` and, when it is gone, takes the name again on a new one;
/// if another instance took it meanwhile, the name is lost (`lost()` returns), and the
/// instance must stop. A refusal is taken for a loss only when the holder is a session that is
/// not this instance's own: one of its own may still hold the name after a look that timed out
/// or a retake answered too late, and is then ended instead.
package final class InstanceNameLock: Sendable {
    private let holding: Task<Void, Never>
    private let ticking: Task<Void, Never>
    private let events: HolderEvents
    private let lostSignal: AsyncStream<Void>

    /// The first key of the instance names' advisory locks ("ins").
    static let lockSpace: Int32 = 0x69_6E73

    enum Event {
        case check, release
    }

    /// How a hold of the name ended.
    private enum HoldEnded {
        case released, refused, connectionLost
    }

    private let state: NameState

    private init(holding: Task<Void, Never>, ticking: Task<Void, Never>, events: HolderEvents, lost: AsyncStream<Void>, state: NameState) {
        self.holding = holding
        self.ticking = ticking
        self.events = events
        self.lostSignal = lost
        self.state = state
    }

    /// Whether another instance has taken the name (see `lost()`).
    package var isLost: Bool { state.isLost }

    /// How long the first take may wait for the server's answer (the service's start-up).
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
        let logger = database.logger
        let holding = Task {
            var first = true
            // This instance's sessions that may hold the name: the one that held it last, which
            // after a look that timed out may still hold it (a stall, not a restart), and any
            // whose answer to the lock came too late. A refusal while one of them holds the name
            // is not a twin's doing (see `Refusal`).
            var ownSessions = Set<Int32>()
            while true {
                let wasFirst = first
                let ended: HoldEnded
                do {
                    ended = try await database.client.withConnection { connection in
                        let (session, taken): (Int32, Bool)
                        do {
                            // Bounded, as every call on a connection that may have been dropped (see `withDeadline`).
                            session = try await withDeadline(wasFirst ? firstAnswerLimit : limit) {
                                try await Self.backend(of: connection, logger: logger)
                            }
                            ownSessions.insert(session)
                            taken = try await withDeadline(wasFirst ? firstAnswerLimit : limit) {
                                let taken = try await Self.tryLock(name, on: connection, logger: logger)
                                await afterAnswer?(session)
                                return taken
                            }
                        } catch let late as DeadlineExceeded {
                            // The lock may have been granted all the same: the session is closed, not
                            // handed back to the pool holding the name, and ended below if it lingers.
                            _ = try? await withDeadline(.seconds(1)) { try await connection.close() }
                            if wasFirst { throw late }
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
                        ownSessions = [session]
                        while let event = await events.next() {
                            switch event {
                            case .release:
                                // Every hold of the session's, and the session itself if that fails.
                                do {
                                    _ = try await withDeadline(limit) {
                                        try await connection.query("SELECT pg_advisory_unlock_all()", logger: logger)
                                    }
                                } catch {
                                    _ = try? await withDeadline(.seconds(1)) { try await connection.close() }
                                }
                                return .released
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
                    let holders: [Int32]
                    do {
                        holders = try await withDeadline(limit) { try await Self.holders(of: name, on: database) }
                    } catch {
                        // Who holds it cannot be told now: asked again at the next look.
                        guard await events.next() == .check else { return }
                        continue
                    }
                    switch Refusal(holders: holders, ownSessions: ownSessions) {
                    case .holderLeft: continue
                    case .ownSession(let session):
                        _ = try? await withDeadline(limit * 2) { try await Self.end(session, holding: name, on: database) }
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
        guard let outcome = await results.next(), try outcome.get() else {
            events.finish()
            await holding.value
            throw InstanceNameTaken(name: name)
        }
        let ticking = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                events.send(.check)
            }
        }
        return InstanceNameLock(holding: holding, ticking: ticking, events: events, lost: lost, state: state)
    }

    /// Tries to take `name` on `connection`; whether it did.
    private static func tryLock(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(lockSpace), hashtext(\(name)))", logger: logger).collect()
        return try rows.first?.decode(Bool.self) ?? false
    }

    /// The server process of `connection`'s session.
    private static func backend(of connection: PostgresConnection, logger: Logger) async throws -> Int32 {
        let rows = try await connection.query("SELECT pg_backend_pid()", logger: logger).collect()
        return try rows.first?.decode(Int32.self) ?? 0
    }

    /// The server processes of the sessions that hold `name` in this database (one at most).
    private static func holders(of name: String, on database: PostgresDatabase) async throws -> [Int32] {
        let rows = try await database.query(
            """
            SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND classid = \(Int64(lockSpace)) AND objid::bigint = (hashtext(\(name))::bigint & 4294967295) AND objsubid = 2 AND granted
            """
        ).collect()
        return try rows.map { try $0.decode(Int32.self) }
    }

    /// Ends the session `backend` if it still holds `name` (a session of this instance's that
    /// stalled, or whose answer came too late), waiting up to 2 s for it to go.
    private static func end(_ backend: Int32, holding name: String, on database: PostgresDatabase) async throws {
        _ = try await database.query(
            """
            SELECT pg_terminate_backend(pid, 2000) FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND classid = \(Int64(lockSpace)) AND objid::bigint = (hashtext(\(name))::bigint & 4294967295) AND objsubid = 2 AND granted
                AND pid = \(backend)
            """
        ).collect()
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
        if (try? await withDeadline(.seconds(3), { await holding.value })) == nil { holding.cancel() }
    }
}

/// What a refused retake of the name means, from who holds it now.
enum Refusal: Equatable {
    /// Nobody holds it any more (the holder's session ended meanwhile): take it again.
    case holderLeft
    /// One of this instance's own sessions holds it (stalled, or its answer came too late):
    /// end that session and take it again.
    case ownSession(Int32)
    /// Another instance holds it: the name is lost.
    case anotherInstance

    init(holders: [Int32], ownSessions: Set<Int32>) {
        guard let holder = holders.first else {
            self = .holderLeft
            return
        }
        self = ownSessions.contains(holder) ? .ownSession(holder) : .anotherInstance
    }
}

/// Whether the name was lost to another instance.
final class NameState: Sendable {
    private let lost = Mutex(false)
    var isLost: Bool { lost.withLock { $0 } }
    func markLost() { lost.withLock { $0 = true } }
}

/// What the holder of a name is asked to do, one at a time, in order; `next()` is nil once
/// finished and nothing is left.
final class HolderEvents: Sendable {
    private struct State {
        var queued: [InstanceNameLock.Event] = []
        var waiting: CheckedContinuation<InstanceNameLock.Event?, Never>?
        var finished = false
    }
    private let state = Mutex(State())

    func send(_ event: InstanceNameLock.Event) {
        let waiting = state.withLock { state -> CheckedContinuation<InstanceNameLock.Event?, Never>? in
            guard !state.finished else { return nil }
            // Looks that pile up while the holder waits for the server are one look.
            if event == .check, state.queued.contains(.check) { return nil }
            if let waiting = state.waiting {
                state.waiting = nil
                return waiting
            }
            state.queued.append(event)
            return nil
        }
        waiting?.resume(returning: event)
    }

    func finish() {
        let waiting = state.withLock { state -> CheckedContinuation<InstanceNameLock.Event?, Never>? in
            state.finished = true
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume(returning: nil)
    }

    func next() async -> InstanceNameLock.Event? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> InstanceNameLock.Event?? in
                if !state.queued.isEmpty { return .some(state.queued.removeFirst()) }
                if state.finished { return .some(nil) }
                state.waiting = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// Another live instance runs under this name.
package struct InstanceNameTaken: Error, CustomStringConvertible {
    package let name: String
    package var description: String { "another live instance runs under the name \(name)" }
}
