import Foundation
package import GRDB
import GroupCommit
package import SagaCore
import Synchronization

/// Durable saga state in one SQLite file (WAL): instances, the step log, the outbox and
/// the inbox. Every transition, its log lines and its outbox messages are written in one
/// transaction; concurrent sagas' transitions share a commit (see `TransactionBatcher`).
package final class SagaStore: Sendable {
    /// SQLite's `synchronous` setting: `full` syncs the WAL on every commit (survives power
    /// loss); `normal` syncs at checkpoints (survives a process crash, which is what `kill -9` is).
    package enum Durability: String, Sendable {
        case full = "FULL"
        case normal = "NORMAL"
    }

    let pool: DatabasePool
    private let batcher: TransactionBatcher<DatabasePool>
    /// Runs in the transaction that stores an instance's move to a settled state.
    let whenSettled: SettlementHook?
    /// Signalled after every commit that wrote to the outbox: the relay's wake-up.
    package let outboxWritten = WakeSignal()

    /// Opens (creating if needed) the database at `path` and brings its schema up to date:
    /// the saga tables, then the tables of the application that keeps its own records in the
    /// same file (so that a saga transition and those records commit together).
    ///
    /// `whenSettled` runs inside every transaction that stores a transition to a settled state
    /// (completed, compensated, failed), so that the application's records of the saga (a hold
    /// on someone's time) change with it or not at all.
    ///
    /// `lockWait`: how long a write waits while another connection holds the write lock
    /// (seconds) before it fails with SQLite's "database is locked".
    package init(
        path: String, durability: Durability = .full, applicationSchema: [ApplicationMigration] = [], whenSettled: SettlementHook? = nil,
        lockWait: Double = 10
    ) throws {
        self.whenSettled = whenSettled
        var configuration = Configuration()
        configuration.busyMode = .timeout(lockWait)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)")
            // Deleted and overwritten content is zeroed, not left in free space: an erasure
            // must not leave the erased bytes behind in the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = SagaSchema.migrator
        for migration in applicationSchema { migrator.registerMigration(migration.name, migrate: migration.migrate) }
        try migrator.migrate(pool)
        batcher = TransactionBatcher(writer: pool, label: "saga-store.writer")
        ringAfterInserts(into: "outbox", outboxWritten)
    }

    /// Signals `signal` after every committed transaction that inserted into `table`, for as
    /// long as the database is open: a relay's wake-up.
    package func ringAfterInserts(into table: String, _ signal: WakeSignal) {
        let doorbell = InsertDoorbell(table: table, ringing: signal)
        pool.writeWithoutTransaction { db in db.add(transactionObserver: doorbell, extent: .databaseLifetime) }
    }

    /// Runs `work` in a transaction shared with other concurrent callers, inside its own
    /// savepoint: its failure rolls back only its own changes.
    package func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await batcher.submit(work)
    }

    /// Copies the write-ahead log into the database file and truncates the log to nothing, so
    /// that earlier versions of rewritten pages are gone from both files. Retries while
    /// readers hold old snapshots; false if they still did after `attempts`.
    package func checkpoint(attempts: Int = 50) async throws -> Bool {
        for _ in 0..<attempts {
            let done = try await pool.writeWithoutTransaction { db in
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return (row?[0] as Int?) == 0
            }
            if done { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Write transactions committed since the store was opened (each may carry many writes).
    package var committedTransactions: Int { batcher.committed }

    /// Reads a consistent snapshot on the caller's thread. In WAL mode a reader does not wait
    /// for the writer or for another connection's write lock, and reads here are short; it can
    /// wait briefly when all reader connections are busy or around a checkpoint. Writes, which
    /// can wait for seconds, run on the writer queue instead.
    package func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try readHere(work)
    }

    /// A synchronous context, so that GRDB's blocking `read` is chosen over its async one.
    private func readHere<T>(_ work: (Database) throws -> T) throws -> T {
        try pool.read(work)
    }
}

/// What an application does, inside the same transaction, when a saga settles.
package typealias SettlementHook = @Sendable (SagaInstance, Database) throws -> Void

/// One named, append-only step of an application's schema in the saga database.
package struct ApplicationMigration: Sendable {
    package var name: String
    package var migrate: @Sendable (Database) throws -> Void

    package init(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.migrate = migrate
    }
}
