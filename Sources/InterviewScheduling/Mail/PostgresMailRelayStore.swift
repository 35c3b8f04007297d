package import Foundation
package import PostgresStore
import SagaCore

/// The mail relay's view of a PostgreSQL database that several instances share. Only the
/// instance that holds the relays' lease (`PostgresSagaStore.leadRelay`, the same lease as the
/// Kafka relay's, so one instance runs both) claims and sends: a message left `sending` counts
/// as left behind by a sender that stopped, so two senders would send it twice. When the
/// leader dies its lease runs out, and the next leader sends what it had claimed again, with
/// the same Message-ID, as after a crash on SQLite.
///
/// A commit that queues mail wakes the leader (`NOTIFY mail_outbox`); a standby looks every
/// `pollInterval` whether the lease has run out. Every call gives up after a lease, so that a
/// database that is away holds neither the relay nor a shutdown.
package struct PostgresMailRelayStore: MailRelayStore {
    let store: PostgresSagaStore
    let owner: String
    let lease: Duration
    let pollInterval: Duration
    let outbox: PostgresMailOutbox
    let tables: PostgresInterviewTables
    private let notifications: PostgresOutboxNotifications
    private let leading = RelayLeadership()

    /// `owner` names this instance (unique among the instances), as for its Kafka relay.
    package init(store: PostgresSagaStore, owner: String, lease: Duration = .seconds(10), pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.owner = owner
        self.lease = lease
        self.pollInterval = pollInterval
        outbox = PostgresMailOutbox(logger: store.database.logger)
        tables = PostgresInterviewTables(logger: store.database.logger)
        notifications = PostgresOutboxNotifications(database: store.database, channel: PostgresMailOutbox.notificationChannel)
    }

    package func claimDue(at now: Date, limit: Int) async throws -> [MailOutbox.Entry] {
        let leads = try await withDeadline(lease) { [store, owner, lease] in try await store.leadRelay(owner: owner, at: now, for: lease) }
        leading.record(leads)
        guard leads else { return [] }
        return try await withDeadline(lease) { [store, outbox] in
            try await store.database.transaction { connection in
                var claimed: [MailOutbox.Entry] = []
                for entry in try await outbox.due(at: now, limit: limit, in: connection) where try await outbox.claim(entry.messageID, in: connection)
                {
                    claimed.append(entry)
                }
                return claimed
            }
        }
    }

    package func nextAttempt() async throws -> Date? {
        try await withDeadline(lease) { [store, outbox] in
            try await store.database.transaction { connection in try await outbox.nextAttempt(in: connection) }
        }
    }

    package func markSent(_ messageID: String, at now: Date) async throws {
        try await withDeadline(lease) { [store, outbox] in
            try await store.database.transaction { connection in try await outbox.markSent(messageID, at: now, in: connection) }
        }
    }

    package func retry(_ messageID: String, at time: Date, error: String) async throws {
        try await withDeadline(lease) { [store, outbox] in
            try await store.database.transaction { connection in try await outbox.retry(messageID, at: time, error: error, in: connection) }
        }
    }

    package func giveUp(_ entry: MailOutbox.Entry, reason: String, replyCode: Int?, at now: Date) async throws {
        try await withDeadline(lease) { [store, outbox, tables] in
            try await store.database.transaction { connection in
                try await outbox.markUndeliverable(entry.messageID, error: reason, in: connection)
                let interview = try await tables.interview(id: entry.interviewID, in: connection)
                let announcement = try MailRelay.undeliverableMessage(
                    messageID: entry.messageID, interviewID: entry.interviewID, method: entry.method, reason: reason, replyCode: replyCode,
                    interview: interview, at: now)
                try await PostgresSagaStore.enqueue(
                    [announcement], sagaID: interview?.requestID, at: now, on: connection, logger: store.database.logger)
            }
        }
    }

    /// The leader waits for a commit that queues mail, or `pollInterval` at most, so that it
    /// renews its lease well before it runs out while idle; a standby waits `pollInterval`.
    package func waitForMail(timeout: Duration) async {
        if leading.leads {
            await notifications.signal.wait(timeout: min(timeout, pollInterval))
        } else {
            try? await Task.sleep(for: min(timeout, pollInterval))
        }
    }
}
