package import Logging
package import PostgresNIO
package import PostgresStore
package import SagaCore
package import SchedulingCore

/// The interview sagas' storage in a PostgreSQL database that several instances share: claims
/// of one interviewer run one after another across the instances (`hold`), the ledger's
/// exclusion constraint refuses any overlap written around them, and the tables' rules hold
/// whatever runs at once. Its decisions run on the connection of the engine's transaction.
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
            case .queueRenderedMail(let rendered, let now): try await mail.queue(rendered, at: now, in: connection)
            }
        }
    }

    /// How many times a claim searches again after another claim took the slot it chose.
    static let searches = 10

    /// The first key of the per-interviewer advisory locks ("ivl"); the second is the hash of
    /// the interviewer's lower-cased address.
    static let interviewerLockSpace: Int32 = 0x69_766C

    /// Chooses and holds, as SQLite's single writer would: first a transaction-scoped lock on
    /// each interviewer of the panel (in one order, so two panels cannot deadlock), so that
    /// claims of one interviewer on any instance run one after another and each sees the
    /// others' committed time. The exclusion constraint refuses overlaps only; the daily and
    /// weekly caps and the minimum gap, which the search enforces, need the serial order.
    ///
    /// A claim that still loses (to time written without these locks) looks at the ledger
    /// again, which shows the winner's committed time; a loss to time the search already
    /// treated as busy means the search and the ledger disagree, a conflict at once.
    package func hold(_ claim: SlotClaim, on connection: PostgresConnection) async throws -> Interval {
        for interviewer in Set(claim.interviewers).sorted() {
            _ = try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Self.interviewerLockSpace), hashtext(\(interviewer)))", logger: store.database.logger
            ).collect()
        }
        var lost: [TimeReservation] = []
        for _ in 0..<Self.searches {
            let reservations = try await ledger.reservations(of: claim.interviewers, overlapping: claim.reach, in: connection)
            let choice = try claim.choose(around: reservations)
            lost = try await ledger.hold(choice.claims, for: claim.holder, in: connection)
            if lost.isEmpty { return choice.slot }
            let seen = Set(reservations.map { ReservationKey($0) })
            if lost.contains(where: { seen.contains(ReservationKey($0)) }) { try claim.check(lost) }
        }
        throw StepFailure(
            .transient,
            "other interviews' claims took the chosen slot \(Self.searches) times in a row, last \(Set(lost.map(\.interviewID)).sorted().joined(separator: ", "))"
        )
    }
}

/// A reservation's identity, for telling a reservation the search saw from one it did not.
private struct ReservationKey: Hashable {
    let interviewer: String
    let sagaID: String
    let start: Instant

    init(_ reservation: TimeReservation) {
        interviewer = reservation.interviewer
        sagaID = reservation.sagaID
        start = reservation.interval.start
    }
}
