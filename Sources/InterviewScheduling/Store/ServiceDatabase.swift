package import SagaStore

/// The service's one SQLite file: the saga state with the interview tables and the
/// interviewer-time ledger, whose holds are settled with the sagas that made them.
package enum ServiceDatabase {
    package static func open(path: String, durability: SagaStore.Durability = .full) throws -> SagaStore {
        try SagaStore(path: path, durability: durability, applicationSchema: InterviewSchema.migrations, whenSettled: SagaSettlement.hook())
    }
}
