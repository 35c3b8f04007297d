package import PostgresStore

/// The service's PostgreSQL database: the saga state with the interview tables and the
/// interviewer-time ledger, migrated once across the instances that open it at the same time,
/// whose holds are settled with the sagas that made them (as `ServiceDatabase` on SQLite).
package enum PostgresServiceDatabase {
    package static func open(_ database: PostgresDatabase) async throws -> PostgresSagaStore {
        try await PostgresSagaStore(
            database: database, applicationSchema: PostgresInterviewSchema.migrations, whenSettled: SagaSettlement.postgresHook())
    }
}
