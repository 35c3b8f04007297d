package import Logging
package import PostgresNIO
package import PostgresStore
package import SagaCore
package import SchedulingCore

/// The interview sagas' storage in a PostgreSQL database that several instances share: the
/// ledger's exclusion constraint keeps two instances' claims apart, and the tables' rules
/// hold whatever runs at once. Its decisions run on the connection of the engine's transaction.
package struct PostgresInterviewSagaStorage: InterviewSagaStorage {
    package typealias Decision = PostgresSagaWork.Decision

    package let store: PostgresSagaStore
    let ledger: PostgresInterviewerTimeLedger
    let tables: PostgresInterviewTables
    let mail: PostgresMailOutbox

    package init(store: PostgresSagaStore, logger: Logger = Logger(label: "interview-saga-storage")) {
        self.store = store
        ledger = PostgresInterviewerTimeLedger(logger: logger)
        tables = PostgresInterviewTables(logger: logger)
        mail = PostgresMailOutbox(logger: logger)
    }

    package func decision(writing writes: [InterviewWrite], then outcome: StepOutcome) -> Decision {
        { connection in
            try await apply(writes, on: connection)
            return outcome
        }
    }

    package func decision(claiming claim: SlotClaim, then outcome: @escaping @Sendable (Interval) throws -> StepOutcome) -> Decision {
        { connection in try outcome(try await hold(claim, on: connection)) }
    }

    package func write(_ writes: [InterviewWrite]) async throws {
        try await store.database.transaction { connection in try await apply(writes, on: connection) }
    }

    package func claimSlot(_ claim: SlotClaim) async throws -> Interval {
        try await store.database.transaction { connection in try await hold(claim, on: connection) }
    }

    package func reservations(of sagaID: String) async throws -> [TimeReservation] {
        try await store.database.transaction { connection in try await ledger.reservations(of: sagaID, in: connection) }
    }

    package func interview(id: String) async throws -> InterviewRecord? {
        try await store.database.transaction { connection in try await tables.interview(id: id, in: connection) }
    }

    func apply(_ writes: [InterviewWrite], on connection: PostgresConnection) async throws {
        for write in writes {
            switch write {
            case .insert(let interview): try await tables.insert(interview, in: connection)
            case .cancel(let id, let invite): _ = try await tables.cancel(id: id, cancelInvite: invite, in: connection)
            case .move(let id, let slot, let sequence, let invite):
                try await tables.move(id: id, to: slot, sequence: sequence, invite: invite, in: connection)
            case .queueMail(let candidateMail, let now): try await mail.queue(candidateMail, at: now, in: connection)
            }
        }
    }

    /// How many times a claim searches again after another instance's claim took the slot it chose.
    static let searches = 10

    /// Chooses and holds. Unlike SQLite's single writer, another instance can claim the same
    /// time between this claim's look at the ledger and its hold; the ledger then names the
    /// winner's time, which is committed and so in the next look, and the search runs again.
    func hold(_ claim: SlotClaim, on connection: PostgresConnection) async throws -> Interval {
        var lost: [TimeReservation] = []
        for _ in 0..<Self.searches {
            let choice = try claim.choose(around: try await ledger.reservations(of: claim.interviewers, overlapping: claim.reach, in: connection))
            lost = try await ledger.hold(choice.claims, for: claim.holder, in: connection)
            if lost.isEmpty { return choice.slot }
        }
        throw StepFailure(
            .transient,
            "other interviews' claims took the chosen slot \(Self.searches) times in a row, last \(Set(lost.map(\.interviewID)).sorted().joined(separator: ", "))"
        )
    }
}
