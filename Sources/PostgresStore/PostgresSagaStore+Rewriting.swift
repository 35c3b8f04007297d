package import Foundation
package import Logging
package import PostgresNIO
package import SagaCore

extension PostgresSagaStore {
    /// Rewrites everything the store keeps of the sagas `ids`, in the caller's transaction:
    /// their data, their last error, their step log's messages and their outbox payloads
    /// (published or not). The version moves on, so that a write prepared from the old data
    /// (an operator's retry, a command's copy) is refused. For an erasure: the old row
    /// versions stay in the tables' files until a `VACUUM` frees them. Returns how many of the
    /// sagas existed.
    package static func rewrite(
        sagas ids: [String], on connection: PostgresConnection, logger: Logger, data: (JSONValue) -> JSONValue, text: (String) -> String,
        payload: (Data) -> Data
    ) async throws -> Int {
        var found = 0
        for id in ids {
            let rows = try await connection.query(
                "SELECT data, last_error_message FROM saga_instance WHERE id = \(id) FOR UPDATE", logger: logger
            ).collect()
            guard let row = rows.first else { continue }
            found += 1
            let (stored, lastError) = try row.decode((String, String?).self)
            let rewritten = String(decoding: try data(try JSONValue(parsing: Data(stored.utf8))).jsonText(), as: UTF8.self)
            try await connection.query(
                """
                UPDATE saga_instance SET data = \(rewritten), last_error_message = \(lastError.map(text)), version = version + 1 WHERE id = \(id)
                """, logger: logger)
            for entry in try await connection.query(
                "SELECT id, message FROM saga_step_log WHERE saga_id = \(id) AND message IS NOT NULL", logger: logger
            ).collect() {
                let (line, message) = try entry.decode((Int64, String).self)
                try await connection.query("UPDATE saga_step_log SET message = \(text(message)) WHERE id = \(line)", logger: logger)
            }
            for message in try await connection.query("SELECT sequence, payload FROM outbox WHERE saga_id = \(id)", logger: logger).collect() {
                let (sequence, body) = try message.decode((Int64, Data).self)
                try await connection.query(
                    "UPDATE outbox SET payload = \(payload(body)), last_error = NULL WHERE sequence = \(sequence)", logger: logger)
            }
        }
        return found
    }
}
