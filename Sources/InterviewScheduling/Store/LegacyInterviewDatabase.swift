import Foundation
import GRDB
package import SagaStore

/// Before the ledger, the interview tables lived in their own file, `interviews.sqlite`.
/// At start-up its rows are copied into the saga database in one transaction that also
/// records the import (`imported_file`), so a crash or a failed rename never copies twice;
/// then the file is set aside as `interviews.sqlite.imported`.
package enum LegacyInterviewDatabase {
    package static let fileName = "interviews.sqlite"

    /// Imports `directory/interviews.sqlite` if it is there; returns the rows copied.
    @discardableResult
    package static func importIfPresent(in directory: String, into store: SagaStore) async throws -> Int {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let alreadyImported = try await store.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM imported_file WHERE name = ?)", arguments: [fileName]) ?? false
        }
        var copied = 0
        if !alreadyImported {
            var configuration = Configuration()
            configuration.readonly = true
            let legacy = try DatabaseQueue(path: path, configuration: configuration)
            let rows = try rows(of: legacy)
            try legacy.close()
            copied = try await store.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM imported_file WHERE name = ?)", arguments: [fileName]) != true else {
                    return 0
                }
                var copied = 0
                for row in rows {
                    let names = row.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                    let marks = Array(repeating: "?", count: row.columns.count).joined(separator: ", ")
                    try db.execute(sql: "INSERT OR IGNORE INTO \(row.table) (\(names)) VALUES (\(marks))", arguments: StatementArguments(row.values))
                    copied += db.changesCount
                }
                try SQLiteInterviewerTimeLedger.recordConfirmedInterviews(in: db)
                try db.execute(
                    sql: "INSERT INTO imported_file (name, imported_at) VALUES (?, ?)", arguments: [fileName, Int64(Date().timeIntervalSince1970)])
                return copied
            }
        }
        try setAside(path)
        return copied
    }

    /// Renames the file (its write-ahead log first, so a crash in between leaves nothing that
    /// looks like a database to import) to the first free `.imported` name.
    static func setAside(_ path: String) throws {
        let files = FileManager.default
        var target = path + ".imported"
        var counter = 1
        while files.fileExists(atPath: target) {
            counter += 1
            target = path + ".imported.\(counter)"
        }
        for suffix in ["-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
            try files.moveItem(atPath: path + suffix, toPath: target + suffix)
        }
        try files.moveItem(atPath: path, toPath: target)
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
