package import Foundation
package import SagaCore

/// The outbox as one instance's relay sees it when several instances share the database: it
/// hands out messages only while this instance holds the relays' lease, renewed with every
/// batch it asks for, so one relay publishes at a time and the order per key holds. When the
/// leading instance dies, its lease runs out and the next relay to ask takes over.
///
/// A leader that stalls for longer than a lease (a publish that waits on a broker, a paused
/// process) may overlap with its successor for one batch. Both publish in the outbox's order
/// and under the messages' own ids, so consumers see each message at least once and drop the
/// repeats by event id; the repeats may come after later messages of the same key, as after
/// any failed delivery that the relay sends again.
///
/// An idle relay is woken when any instance commits messages (`PostgresOutboxNotifications`);
/// it also looks every `pollInterval`, which is how a standby notices a lease run out. A relay
/// that stops should `resign()`, so that a successor need not wait for its lease to run out.
package struct PostgresRelayOutbox: OutboxStore {
    let store: PostgresSagaStore
    let owner: String
    let lease: Duration
    let pollInterval: Duration
    let clock: any WallClock
    let notifications: PostgresOutboxNotifications
    /// Whether this relay led at its last look.
    private let leading = RelayLeadership()

    /// `owner` names this instance (unique among the instances); `pollInterval` is how often a
    /// relay looks without being woken (a standby, for a lease run out), well below `lease`.
    package init(
        store: PostgresSagaStore, owner: String, lease: Duration = .seconds(10), pollInterval: Duration = .seconds(1),
        clock: any WallClock = SystemWallClock()
    ) {
        self.store = store
        self.owner = owner
        self.lease = lease
        self.pollInterval = pollInterval
        self.clock = clock
        notifications = PostgresOutboxNotifications(database: store.database)
    }

    /// Given up after a lease: a look that takes longer leads nothing, and the relay tries
    /// again (a query issued while the server restarts was seen unanswered for over a minute).
    /// An abandoned look that is answered later may still renew the lease once.
    package func pendingMessages(limit: Int) async throws -> [OutboxMessage] {
        try await withDeadline(lease) { [store, owner, clock, lease, leading] in
            let leads = try await store.leadRelay(owner: owner, at: clock.now(), for: lease)
            leading.record(leads)
            guard leads else { return [] }
            return try await store.pendingOutbox(limit: limit)
        }
    }

    package func markPublished(ids: [String], at now: Date) async throws {
        try await withDeadline(lease) { [store] in try await store.markPublished(ids: ids, at: now) }
    }

    package func markPublishFailed(id: String, error: String) async throws {
        try await withDeadline(lease) { [store] in try await store.markPublishFailed(id: id, error: error) }
    }

    /// Gives up the lease if this instance holds it; the relay must have stopped. Gives up
    /// after a lease (the database away at shutdown must not hold the process up): the lease
    /// then runs out by itself.
    package func resign() async throws {
        try await withDeadline(lease) { [store, owner] in try await store.resignRelay(owner: owner) }
    }

    /// The leader returns when an instance committed messages, or after `pollInterval` (or
    /// `timeout`); a standby only after `pollInterval`, so that it does not ask for the lease at
    /// every commit.
    package func waitForMessages(timeout: Duration) async {
        if leading.leads {
            await notifications.signal.wait(timeout: min(timeout, pollInterval))
        } else {
            try? await clock.sleep(for: min(timeout, pollInterval))
        }
    }
}
