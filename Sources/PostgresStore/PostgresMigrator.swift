import Logging
import PostgresNIO

/// One named, append-only step of a PostgreSQL schema: never edit one that has shipped, add
/// the next. A step is a list of statements (the extended protocol takes one at a time).
package struct PostgresMigration: Sendable {
    package let name: String
    package let statements: [String]

    package init(_ name: String, _ statements: [String]) {
        self.name = name
        self.statements = statements
    }
}

/// Brings a database's schema up to date, once across every instance that starts at the same
/// moment: the steps run in one transaction that first takes a transaction-level advisory
/// lock, so a second instance waits, then finds them applied.
package enum PostgresMigrator {
    /// The advisory lock's key ("sch-mgr").
    package static let lockKey: Int64 = 0x7363_682D_6D67_72

    /// Applies the steps not yet applied, in order; returns their names. Refuses a database
    /// that has steps this build does not know (a newer build migrated it).
    @discardableResult
    package static func migrate(_ database: PostgresDatabase, _ migrations: [PostgresMigration]) async throws -> [String] {
        try await database.transaction { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: database.logger).collect()
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: database.logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: database.logger).decode(String.self) {
                applied.insert(name)
            }
            let unknown = applied.subtracting(migrations.map(\.name))
            guard unknown.isEmpty else { throw UnknownMigrations(names: unknown.sorted()) }
            var ran: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
                }
                try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: database.logger)
                ran.append(migration.name)
            }
            return ran
        }
    }
}

extension PostgresMigrator {
    /// Checks, without changing anything, that the database has exactly the steps `migrations`
    /// name: for tools that must not migrate (an operator's command beside running instances).
    package static func check(_ database: PostgresDatabase, _ migrations: [PostgresMigration]) async throws {
        let exists = try await database.query("SELECT to_regclass('schema_migrations') IS NOT NULL").collect()
        guard try exists.first?.decode(Bool.self) == true else {
            throw MissingMigrations(names: migrations.map(\.name), empty: true)
        }
        let rows = try await database.query("SELECT name FROM schema_migrations").collect()
        let applied = Set(try rows.map { try $0.decode(String.self) })
        let unknown = applied.subtracting(migrations.map(\.name))
        guard unknown.isEmpty else { throw UnknownMigrations(names: unknown.sorted()) }
        let missing = migrations.map(\.name).filter { !applied.contains($0) }
        guard missing.isEmpty else { throw MissingMigrations(names: missing, empty: applied.isEmpty) }
    }
}

/// The database lacks steps this build has: it is not the service's, or no instance of this
/// build has started on it yet.
package struct MissingMigrations: Error, CustomStringConvertible {
    package let names: [String]
    package let empty: Bool
    package var description: String {
        empty
            ? "the database has no scheduler schema: is it the one the instances use?"
            : "the database lacks schema steps of this build (\(names.joined(separator: ", "))): start an instance of this build first"
    }
}

/// The database was migrated by a newer build: this one must not run on it.
package struct UnknownMigrations: Error, CustomStringConvertible {
    package let names: [String]
    package var description: String {
        "the database has schema steps this build does not know (\(names.joined(separator: ", "))): run the build that applied them, or a newer one"
    }
}
