package import Foundation
package import GRDB
import GRDBSQLite

/// A value for `Statement.execute(binding:)`.
package enum SQLArgument {
    case null
    case integer(Int64)
    case text(String)
    case blob(Data)

    package init(_ text: String?) {
        self = text.map(SQLArgument.text) ?? .null
    }

    package init(_ integer: Int64?) {
        self = integer.map(SQLArgument.integer) ?? .null
    }

    package init(_ integer: Int?) {
        self.init(integer.map(Int64.init))
    }
}

extension Statement {
    /// Runs the statement with `arguments` bound straight to SQLite, in order.
    ///
    /// For the hot writes (a batch's inbox rows, saga updates, step-log and outbox rows):
    /// `StatementArguments` boxes each value in an existential and nests a closure per string,
    /// and binding this way saved about a fifth of the store's writer's CPU per batch
    /// (benchmarks/RESULTS.md). GRDB still runs the statement, so its transaction observers
    /// see the change.
    package func execute(binding arguments: [SQLArgument]) throws {
        guard arguments.count == Int(sqlite3_bind_parameter_count(sqliteStatement)) else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE, message: "\(arguments.count) arguments for \(sqlite3_bind_parameter_count(sqliteStatement))", sql: sql)
        }
        // Reset here, where a failure throws (GRDB's own reset below would stop the process);
        // then mark the (empty) arguments as bound, so that `execute()` keeps the bindings
        // made here.
        let reset = sqlite3_reset(sqliteStatement)
        guard reset == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: reset), message: "cannot reset the statement", sql: sql)
        }
        setUncheckedArguments(StatementArguments())
        // The statement is cached: it must not keep the copies (an outbox payload) until its next run.
        defer { sqlite3_clear_bindings(sqliteStatement) }
        for (offset, argument) in arguments.enumerated() {
            let code = bind(argument, at: Int32(offset + 1))
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind argument \(offset + 1)", sql: sql)
            }
        }
        try execute()
    }

    private func bind(_ argument: SQLArgument, at index: Int32) -> Int32 {
        switch argument {
        case .null:
            return sqlite3_bind_null(sqliteStatement, index)
        case .integer(let value):
            return sqlite3_bind_int64(sqliteStatement, index, value)
        case .text(var value):
            // SQLite copies the bytes (`transient`). As GRDB binds a string (as a C string),
            // it ends at a NUL, so that rows written here and the values GRDB binds in reads
            // and other writes agree. An empty string still needs a pointer, or SQLite would
            // bind NULL.
            return value.withUTF8 { bytes in
                guard let base = bytes.baseAddress else { return sqlite3_bind_text(sqliteStatement, index, "", 0, transient) }
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text(sqliteStatement, index, $0, Int32(length), transient)
                }
            }
        case .blob(let value):
            return value.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_zeroblob(sqliteStatement, index, 0) }
                return sqlite3_bind_blob(sqliteStatement, index, base, Int32(bytes.count), transient)
            }
        }
    }
}

/// SQLite's `SQLITE_TRANSIENT`: copy the bytes before the call returns.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
