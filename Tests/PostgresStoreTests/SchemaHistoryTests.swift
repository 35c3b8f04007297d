import InterviewScheduling
import PostgresStore
import SagaStore
import Testing

/// Both backends share one schema history: the service's steps have the same names, in the
/// same order, on SQLite and on PostgreSQL, so a step added to one and forgotten in the
/// other fails here.
@Suite("Schema history on SQLite and PostgreSQL")
struct SchemaHistoryTests {
    @Test func theServicesStepsAreTheSameOnBothBackends() {
        #expect(PostgresInterviewSchema.migrations.map(\.name) == InterviewSchema.migrations.map(\.name))
    }
}
