package import PostgresStore

/// The service's PostgreSQL database: the saga state with the interview tables and the
/// interviewer-time ledger, migrated once across the instances that open it at the same time,
/// whose holds are settled with the sagas that made them (as `ServiceDatabase` on SQLite).
package enum PostgresServiceDatabase {
    package static func open(_ database: PostgresDatabase) async throws -> PostgresSagaStore {
        try await PostgresSagaStore(
            database: database, applicationSchema: PostgresInterviewSchema.migrations, whenSettled: SagaSettlement.postgresHook())
    }

    /// For operator tools (`scheduler sagas`, `scheduler audit`) beside running instances: the
    /// same store, its schema checked and never changed, so that a wrong database name or a
    /// newer tool than the instances is refused instead of migrated.
    package static func openExisting(_ database: PostgresDatabase) async throws -> PostgresSagaStore {
        try await PostgresSagaStore(
            database: database, applicationSchema: PostgresInterviewSchema.migrations, whenSettled: SagaSettlement.postgresHook(),
            migrating: false)
    }
}
