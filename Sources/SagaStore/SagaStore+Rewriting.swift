package import Foundation
package import GRDB
package import SagaCore

extension SagaStore {
    /// Rewrites everything the store keeps of the sagas `ids`: their data, their last error,
    /// their step log's messages and their outbox payloads (published or not). The version
    /// moves on, so that a write prepared from the old data (an operator's retry, a command's
    /// copy) is refused. For an erasure: with `secure_delete` on, the old text is zeroed in the file, and a
    /// `checkpoint()` afterwards removes it from the write-ahead log. Returns how many of the
    /// sagas existed.
    package static func rewrite(
        sagas ids: [String], in db: Database, data: (JSONValue) -> JSONValue, text: (String) -> String, payload: (Data) -> Data
    ) throws -> Int {
        var found = 0
        for id in ids {
            guard let row = try Row.fetchOne(db, sql: "SELECT data, last_error_message FROM saga_instance WHERE id = ?", arguments: [id]) else {
                continue
            }
            found += 1
            let stored: String = row[0]
            let rewritten = String(decoding: try data(try JSONValue(parsing: Data(stored.utf8))).jsonText(), as: UTF8.self)
            try db.execute(
                sql: "UPDATE saga_instance SET data = ?, last_error_message = ?, version = version + 1 WHERE id = ?",
                arguments: [rewritten, (row[1] as String?).map(text), id])
            for entry in try Row.fetchAll(
                db, sql: "SELECT id, message FROM saga_step_log WHERE \(SagaSchema.logOfSaga) AND message IS NOT NULL", arguments: [id])
            {
                try db.execute(sql: "UPDATE saga_step_log SET message = ? WHERE id = ?", arguments: [text(entry[1]), entry[0] as Int64])
            }
            for message in try Row.fetchAll(db, sql: "SELECT sequence, payload FROM outbox WHERE saga_id = ?", arguments: [id]) {
                try db.execute(
                    sql: "UPDATE outbox SET payload = ?, last_error = NULL WHERE sequence = ?", arguments: [payload(message[1]), message[0] as Int64])
            }
        }
        return found
    }

    /// Ids of the instances of `type` with `partitionKey`, and of every instance whose id
    /// extends one of theirs (`<id>:…`), oldest first.
    package static func instanceIDs(type: String, partitionKey: String, withDescendants: Bool, in db: Database) throws -> [String] {
        let roots = try String.fetchAll(
            db, sql: "SELECT id FROM saga_instance WHERE type = ? AND partition_key = ? ORDER BY created_at, id", arguments: [type, partitionKey])
        guard withDescendants else { return roots }
        var ids: [String] = []
        for root in roots {
            ids.append(root)
            ids += try String.fetchAll(
                db, sql: "SELECT id FROM saga_instance WHERE substr(id, 1, ?) = ? ORDER BY created_at, id",
                arguments: [(root + ":").unicodeScalars.count, root + ":"])
        }
        return ids
    }

    /// Which of `ids` have not settled (running, waiting, compensating).
    package static func unsettled(_ ids: [String], in db: Database) throws -> [String] {
        try ids.filter { id in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM saga_instance WHERE id = ? AND status NOT IN ('completed', 'compensated', 'failed'))",
                arguments: [id]) ?? false
        }
    }
}
