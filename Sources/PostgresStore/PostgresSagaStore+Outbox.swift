package import Foundation
import Logging
import PostgresNIO
package import SagaCore

/// The outbox: messages stored with the transitions that produce them, published in the
/// order they were stored (the sequence), marked published after the broker's report.
extension PostgresSagaStore {
    static func insertOutbox(_ message: OutboxMessage, sagaID: String?, at now: Date, on connection: PostgresConnection, logger: Logger) async throws
    {
        let headers = String(decoding: try JSONValue.object(message.headers.mapValues(JSONValue.string)).jsonText(), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO outbox (id, saga_id, topic, key, headers, payload, created_at)
            VALUES (\(message.id), \(sagaID), \(message.topic), \(message.key), \(headers), \(message.payload), \(now.milliseconds))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
    }

    /// Unpublished messages, oldest first.
    package func pendingOutbox(limit: Int) async throws -> [OutboxMessage] {
        let rows = try await database.query(
            "SELECT id, topic, key, headers, payload FROM outbox WHERE published_at IS NULL ORDER BY sequence LIMIT \(limit)")
        var messages: [OutboxMessage] = []
        for try await (id, topic, key, headersText, payload) in rows.decode((String, String, String, String, Data).self) {
            guard case .object(let fields) = try JSONValue(parsing: Data(headersText.utf8)) else {
                throw StoredValueError("outbox message \(id) has headers that are not a JSON object")
            }
            let headers = fields.compactMapValues { value -> String? in
                if case .string(let text) = value { return text }
                return nil
            }
            messages.append(OutboxMessage(id: id, topic: topic, key: key, headers: headers, payload: payload))
        }
        return messages
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
