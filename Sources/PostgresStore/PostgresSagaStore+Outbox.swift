package import Foundation
package import Logging
package import PostgresNIO
package import SagaCore

/// The outbox: messages stored with the transitions that produce them, published in the
/// order they were stored (the sequence), marked published after the broker's report.
///
/// Sequence numbers are taken at the insert, not at the commit, so on their own they would let
/// a relay publish a message of a key while an earlier one of the same key is still being
/// committed. A transaction that writes messages therefore first takes a transaction-level
/// advisory lock per topic and key: the messages of one key are written one transaction after
/// another, and their sequence is their commit order. This rests on two things: every insert
/// into `outbox` goes through here, and the sequence hands out numbers one at a time (an
/// identity column's default `CACHE 1`; a larger cache gives each session a block of its own).
/// The locks are taken in the order of their hashes, so two transactions that write messages
/// once each cannot deadlock on them; one that writes messages in two calls may, which
/// PostgreSQL reports (`deadlock_detected`) and the transaction is retried as any transient
/// failure.
extension PostgresSagaStore {
    /// Writes `messages` inside the caller's transaction, as a transition's are, so that they
    /// are published if and only if it commits. Waits while another transaction that wrote
    /// messages of the same key is open.
    package static func enqueue(
        _ messages: [OutboxMessage], sagaID: String?, at now: Date, on connection: PostgresConnection, logger: Logger
    )
        async throws
    {
        try await insertOutbox(messages, sagaID: sagaID, at: now, on: connection, logger: logger)
    }

    /// The first key of the outbox's per-key advisory locks ("obx"); the second is the hash of
    /// topic and key.
    static let keyLockSpace: Int32 = 0x6F_6278

    static func insertOutbox(
        _ messages: [OutboxMessage], sagaID: String?, at now: Date, on connection: PostgresConnection, logger: Logger
    )
        async throws
    {
        guard !messages.isEmpty else { return }
        let keys = Array(Set(messages.map { "\($0.topic)|\($0.key)" }))
        var hashes: [Int32] = []
        for try await hash in try await connection.query("SELECT DISTINCT hashtext(key) FROM unnest(\(keys)) AS key", logger: logger).decode(
            Int32.self)
        {
            hashes.append(hash)
        }
        for hash in hashes.sorted() {
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(keyLockSpace), \(hash))", logger: logger).collect()
        }
        // Delivered when the transaction commits, once however many messages it wrote: wakes
        // the leading relay (`PostgresOutboxNotifications`).
        try await connection.query("NOTIFY \(unescaped: PostgresOutboxNotifications.channel)", logger: logger)
        for message in messages {
            let headers = String(decoding: try JSONValue.object(message.headers.mapValues(JSONValue.string)).jsonText(), as: UTF8.self)
            try await connection.query(
                """
                INSERT INTO outbox (id, saga_id, topic, key, headers, payload, created_at)
                VALUES (\(message.id), \(sagaID), \(message.topic), \(message.key), \(headers), \(message.payload), \(now.milliseconds))
                ON CONFLICT (id) DO NOTHING
                """, logger: logger)
        }
    }

    /// How many messages are written but not yet published: the outbox's backlog.
    package func outboxBacklog() async throws -> Int {
        let rows = try await database.query("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Unpublished messages, oldest first.
    package func pendingOutbox(limit: Int) async throws -> [OutboxMessage] {
        let rows = try await database.query(
            "SELECT id, topic, key, headers, payload FROM outbox WHERE published_at IS NULL ORDER BY sequence LIMIT \(limit)")
        var messages: [OutboxMessage] = []
        for try await (id, topic, key, headersText, payload) in rows.decode((String, String, String, String, Data).self) {
            messages.append(OutboxMessage(id: id, topic: topic, key: key, headers: try Self.headers(headersText, of: id), payload: payload))
        }
        return messages
    }

    /// A message's headers as stored: a JSON object of strings.
    static func headers(_ text: String, of id: String) throws -> [String: String] {
        guard case .object(let fields) = try JSONValue(parsing: Data(text.utf8)) else {
            throw StoredValueError("outbox message \(id) has headers that are not a JSON object")
        }
        return fields.compactMapValues { value -> String? in
            if case .string(let text) = value { return text }
            return nil
        }
    }

    /// Marks `ids` published, in one statement: called only once the broker has confirmed them.
    package func markPublished(ids: [String], at now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await database.query(
            "UPDATE outbox SET published_at = \(now.milliseconds), attempts = attempts + 1, last_error = NULL WHERE id = ANY(\(ids))")
    }

    /// Records a failed delivery; the message stays pending.
    package func markPublishFailed(id: String, error: String) async throws {
        try await database.query("UPDATE outbox SET attempts = attempts + 1, last_error = \(error) WHERE id = \(id)")
    }

    /// The attempts and last error of one message, as stored.
    package func deliveryAttempts(id: String) async throws -> (attempts: Int, lastError: String?)? {
        let rows = try await database.query("SELECT attempts, last_error FROM outbox WHERE id = \(id)")
        for try await (attempts, lastError) in rows.decode((Int, String?).self) { return (attempts, lastError) }
        return nil
    }
}

extension PostgresSagaStore {
    /// Takes or renews the relays' lease for `owner` until `now + duration`; false while
    /// another owner's lease has not run out. Lease times are the instances' clocks, which must
    /// agree to well within a lease.
    package func leadRelay(owner: String, at now: Date, for duration: Duration) async throws -> Bool {
        let until = now.addingTimeInterval(duration.seconds).milliseconds
        let rows = try await database.query(
            """
            INSERT INTO outbox_relay_lease (singleton, owner, lease_until) VALUES (TRUE, \(owner), \(until))
            ON CONFLICT (singleton) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
            WHERE outbox_relay_lease.owner = EXCLUDED.owner OR outbox_relay_lease.lease_until <= \(now.milliseconds)
            RETURNING owner
            """
        ).collect()
        return !rows.isEmpty
    }

    /// Gives up `owner`'s lease, if it holds it, so that another instance's relay leads at its
    /// next look instead of when the lease runs out: for a relay that stops (a shutdown).
    package func resignRelay(owner: String) async throws {
        try await database.query("DELETE FROM outbox_relay_lease WHERE owner = \(owner)")
    }
}
