package import Foundation
import SagaCore
package import SagaStore

/// The mail relay's view of the service's SQLite file: one process, so its relay always sends;
/// a commit that queues mail wakes it.
package struct SQLiteMailRelayStore: MailRelayStore {
    let store: SagaStore
    private let written = WakeSignal()

    package init(store: SagaStore) {
        self.store = store
        store.ringAfterInserts(into: "mail_outbox", written)
    }

    /// The due messages are read on a reader (their content is written once and never
    /// changes); only the claims, which look at each message's status again, take the writer
    /// that every saga's commit shares.
    package func claimDue(at now: Date, limit: Int) async throws -> [MailOutbox.Entry] {
        let due = try await store.read { db in try MailOutbox.due(at: now, limit: limit, in: db) }
        guard !due.isEmpty else { return [] }
        return try await store.write { db in try due.filter { try MailOutbox.claim($0.messageID, in: db) } }
    }

    package func nextAttempt() async throws -> Date? {
        try await store.read { db in try MailOutbox.nextAttempt(in: db) }
    }

    package func markSent(_ messageID: String, at now: Date) async throws {
        try await store.write { db in try MailOutbox.markSent(messageID, at: now, in: db) }
    }

    package func retry(_ messageID: String, at time: Date, error: String) async throws {
        try await store.write { db in try MailOutbox.retry(messageID, at: time, error: error, in: db) }
    }

    package func giveUp(_ entry: MailOutbox.Entry, reason: String, replyCode: Int?, at now: Date) async throws {
        try await store.write { db in
            try MailOutbox.markUndeliverable(entry.messageID, error: reason, in: db)
            try MailRelay.announceUndeliverable(
                messageID: entry.messageID, interviewID: entry.interviewID, method: entry.method, reason: reason, replyCode: replyCode, at: now,
                in: db)
        }
    }

    package func waitForMail(timeout: Duration) async {
        await written.wait(timeout: timeout)
    }
}
