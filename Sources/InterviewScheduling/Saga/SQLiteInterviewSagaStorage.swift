import GRDB
package import SagaCore
package import SagaStore
package import SchedulingCore

/// The interview sagas' storage in the service's SQLite file, where one writer serialises
/// every claim and write. Its decisions are GRDB's synchronous transaction closures.
package struct SQLiteInterviewSagaStorage: InterviewSagaStorage {
    package let store: SagaStore
    let ledger = SQLiteInterviewerTimeLedger()
    let tables = SQLiteInterviewTables()
    let mail = SQLiteMailOutbox()

    package init(store: SagaStore) {
        self.store = store
    }

    package func decision(writing writes: [InterviewWrite], then outcome: StepOutcome) -> SagaStore.Decision {
        { db in
            try apply(writes, in: db)
            return outcome
        }
    }

    package func decision(claiming claim: SlotClaim, then outcome: @escaping @Sendable (Interval) throws -> StepOutcome) -> SagaStore.Decision {
        { db in try outcome(try hold(claim, in: db)) }
    }

    package func write(_ writes: [InterviewWrite]) async throws {
        try await store.write { db in try apply(writes, in: db) }
    }

    package func claimSlot(_ claim: SlotClaim) async throws -> Interval {
        try await store.write { db in try hold(claim, in: db) }
    }

    package func reservations(of sagaID: String) async throws -> [TimeReservation] {
        try await store.read { [ledger] db in try ledger.reservations(of: sagaID, in: db) }
    }

    package func interview(id: String) async throws -> InterviewRecord? {
        try await store.read { [tables] db in try tables.interview(id: id, in: db) }
    }

    func apply(_ writes: [InterviewWrite], in db: Database) throws {
        for write in writes {
            switch write {
            case .insert(let interview): try tables.insert(interview, in: db)
            case .cancel(let id, let invite): _ = try tables.cancel(id: id, cancelInvite: invite, in: db)
            case .move(let id, let slot, let sequence, let invite): try tables.move(id: id, to: slot, sequence: sequence, invite: invite, in: db)
            case .queueRenderedMail(let rendered, let now): try mail.queue(rendered, at: now, in: db)
            }
        }
    }

    func hold(_ claim: SlotClaim, in db: Database) throws -> Interval {
        let choice = try claim.choose(around: try ledger.reservations(of: claim.interviewers, overlapping: claim.reach, in: db))
        try claim.check(try ledger.hold(choice.claims, for: claim.holder, in: db))
        return choice.slot
    }
}
