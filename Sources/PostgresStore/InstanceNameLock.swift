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
/// instance must stop.
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

    private init(holding: Task<Void, Never>, ticking: Task<Void, Never>, events: HolderEvents, lost: AsyncStream<Void>) {
        self.holding = holding
        self.ticking = ticking
        self.events = events
        self.lostSignal = lost
    }

    /// Takes `name`; throws `InstanceNameTaken` when a live instance holds it.
    package static func take(
        _ name: String, on database: PostgresDatabase, checkEvery interval: Duration = .seconds(5)
    ) async throws
        -> InstanceNameLock
    {
        let (outcomes, reporting) = AsyncStream<Result<Bool, any Error>>.makeStream()
        let events = HolderEvents()
        let (lost, losing) = AsyncStream<Void>.makeStream()
        let logger = database.logger
        let holding = Task {
            var first = true
            while true {
                let ended: HoldEnded
                do {
                    ended = try await database.client.withConnection { connection in
                        let taken = try await Self.tryLock(name, on: connection, logger: logger)
                        if first {
                            reporting.yield(.success(taken))
                            reporting.finish()
                        } else if taken {
                            logger.notice("the instance's name is held again after its database session ended", metadata: ["instance": "\(name)"])
                        }
                        first = false
                        guard taken else { return .refused }
                        while let event = await events.next() {
                            switch event {
                            case .release:
                                // Bounded: a query on a dropped connection can go unanswered (see `withDeadline`).
                                _ = try? await withDeadline(.seconds(2)) {
                                    try await connection.query("SELECT pg_advisory_unlock(\(lockSpace), hashtext(\(name)))", logger: logger)
                                }
                                return .released
                            case .check:
                                do {
                                    _ = try await withDeadline(.seconds(2)) { try await connection.query("SELECT 1", logger: logger).collect() }
                                } catch {
                                    return .connectionLost
                                }
                            }
                        }
                        return .released
                    }
                } catch {
                    if first {
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
                    if !first {
                        logger.error(
                            "another instance took this instance's name while its database session was gone; this instance must stop",
                            metadata: ["instance": "\(name)"])
                        losing.finish()
                    }
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
        return InstanceNameLock(holding: holding, ticking: ticking, events: events, lost: lost)
    }

    private static func tryLock(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(lockSpace), hashtext(\(name)))", logger: logger).collect()
        return try rows.first?.decode(Bool.self) ?? false
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
