import GRDB
package import SagaStore

/// The service's one SQLite file: the saga state with the interview tables and the
/// interviewer-time ledger, whose holds are settled with the sagas that made them.
package enum ServiceDatabase {
    package static func open(path: String, durability: SagaStore.Durability = .full) throws -> SagaStore {
        try SagaStore(path: path, durability: durability, applicationSchema: InterviewSchema.migrations, whenSettled: SagaSettlement.hook())
    }

    /// For operator tools (`scheduler sagas`): the service's database with its settlement
    /// hook, so an abort from the command line releases held time too; a plain saga store for
    /// any other saga database (the availability responder's).
    package static func openExisting(path: String) throws -> SagaStore {
        var configuration = Configuration()
        configuration.readonly = true
        let isService = try DatabaseQueue(path: path, configuration: configuration).read { db in try db.tableExists("interview") }
        return isService ? try open(path: path) : try SagaStore(path: path)
    }
}
