import Foundation
import GRDB
package import SagaStore

/// Before version 0.3 the interview tables lived in their own file, `interviews.sqlite`.
/// At start-up its rows are copied into the saga database in one transaction, and the old
/// file is renamed `interviews.sqlite.imported` so that it is read once.
package enum LegacyInterviewDatabase {
    package static let fileName = "interviews.sqlite"

    /// Imports `directory/interviews.sqlite` if it is there; returns the rows copied.
    @discardableResult
    package static func importIfPresent(in directory: String, into store: SagaStore) async throws -> Int {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        let legacy = try DatabaseQueue(path: path, configuration: configuration)
        let rows = try rows(of: legacy)
        try legacy.close()
        let copied = try await store.write { db in
            var copied = 0
            for row in rows {
                let names = row.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let marks = Array(repeating: "?", count: row.columns.count).joined(separator: ", ")
                try db.execute(sql: "INSERT OR IGNORE INTO \(row.table) (\(names)) VALUES (\(marks))", arguments: StatementArguments(row.values))
                copied += db.changesCount
            }
            return copied
        }
        // The write-ahead log moves with its database, so the imported file stays readable.
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.moveItem(atPath: path + suffix, toPath: path + ".imported" + suffix)
        }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".imported")
        return copied
    }

    /// Every row of the four tables (a synchronous read: the file is small and local).
    private static func rows(of legacy: DatabaseQueue) throws -> [LegacyRow] {
        let tables = ["interview", "request_owner", "idempotency_key", "audit_log"]
        return try legacy.read { db in
            try tables.filter { try db.tableExists($0) }.flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    // Audit rows get new ids, after any the new table holds.
                    let columns = row.columnNames.filter { !(table == "audit_log" && $0 == "id") }
                    return LegacyRow(table: table, columns: Array(columns), values: columns.map { row[$0] as DatabaseValue })
                }
            }
        }
    }

    private struct LegacyRow: Sendable {
        var table: String
        var columns: [String]
        var values: [DatabaseValue]
    }
}
