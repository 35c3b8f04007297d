package import Foundation
package import GRDB
package import SagaCore

extension SagaStore {
    /// Adds a message outside any saga transition (e.g. an error event).
    package func enqueue(_ message: OutboxMessage, sagaID: String? = nil, at now: Date) async throws {
        try await enqueue([message], sagaID: sagaID, at: now)
    }

    /// Adds messages outside any saga transition, all or none, in this order.
    package func enqueue(_ messages: [OutboxMessage], sagaID: String? = nil, at now: Date) async throws {
        guard !messages.isEmpty else { return }
        try await write { db in
            for message in messages { try Self.insertOutbox(message, sagaID: sagaID, at: now, in: db) }
        }
    }

    /// Inserts a message unless one with its id exists (a transition repeated after a crash).
    package static func insertOutbox(_ message: OutboxMessage, sagaID: String?, at now: Date, in db: Database) throws {
        let headers =
            message.headers.isEmpty
            ? "{}" : String(decoding: try JSONValue.object(message.headers.mapValues(JSONValue.string)).jsonText(), as: UTF8.self)
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO outbox (id, saga_id, topic, key, headers, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(binding: [
            .text(message.id), SQLArgument(sagaID), .text(message.topic), .text(message.key), .text(headers), .blob(message.payload),
            .integer(now.milliseconds),
        ])
    }

    /// The oldest unpublished messages, in insertion order.
    package func pendingOutbox(limit: Int) async throws -> [StoredOutboxMessage] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM outbox WHERE published_at IS NULL ORDER BY sequence LIMIT ?"), arguments: [limit])
                .map(Self.outboxMessage)
        }
    }

    /// Every message a saga produced, oldest first.
    package func outbox(sagaID: String) async throws -> [StoredOutboxMessage] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM outbox WHERE saga_id = ? ORDER BY sequence"), arguments: [sagaID]).map(
                Self.outboxMessage)
        }
    }

    /// How many messages wait to be published.
    package func outboxBacklog() async throws -> Int {
        try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")) ?? 0 }
    }

    /// Marks messages published: called only once the broker has confirmed them.
    package func markPublished(ids: [String], at now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await write { db in
            for list in Self.inLists(ids) {
                try db.makeStatement(
                    sql:
                        "UPDATE outbox SET published_at = ?, attempts = attempts + 1, last_error = NULL WHERE id IN (\(Self.placeholders(list.count)))"
                ).execute(arguments: StatementArguments([now.milliseconds]) + StatementArguments(list))
            }
        }
    }

    /// Records a failed delivery; the message stays pending.
    package func markPublishFailed(id: String, error: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?").execute(arguments: [error, id])
        }
    }

    private static func outboxMessage(_ row: Row) throws -> StoredOutboxMessage {
        let headersText: String = row["headers"]
        // Most messages have none: no decoder for those.
        let headers = headersText == "{}" ? [:] : try JSONDecoder().decode([String: String].self, from: Data(headersText.utf8))
        return StoredOutboxMessage(
            sequence: row["sequence"],
            message: OutboxMessage(id: row["id"], topic: row["topic"], key: row["key"], headers: headers, payload: row["payload"]),
            sagaID: row["saga_id"], createdAt: Date(milliseconds: row["created_at"]),
            publishedAt: (row["published_at"] as Int64?).map(Date.init(milliseconds:)), attempts: row["attempts"], lastError: row["last_error"])
    }
}

extension SagaStore: SagaInspection {}

extension SagaStore: OutboxStore {
    package func pendingMessages(limit: Int) async throws -> [OutboxMessage] {
        try await pendingOutbox(limit: limit).map(\.message)
    }

    package func waitForMessages(timeout: Duration) async {
        await outboxWritten.wait(timeout: timeout)
    }
}
