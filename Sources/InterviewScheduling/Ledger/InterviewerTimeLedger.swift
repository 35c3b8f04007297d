package import SchedulingCore

/// The port behind which interviewer time is claimed: "hold these intervals for these
/// people, all or none, or tell me what is in the way". Every call runs inside the caller's
/// transaction, so that a claim and the saga's transition commit together.
///
/// The SQLite ledger serialises claims through the single writer and refuses an overlap
/// with a trigger; the PostgreSQL ledger, which several instances share, refuses it with an
/// exclusion constraint over `tstzrange`. The SQLite ledger's calls are synchronous (they
/// run inside GRDB's transaction closures), which satisfies these asynchronous requirements.
package protocol InterviewerTimeLedger: Sendable {
    associatedtype Transaction

    /// The reservations of `interviewers` (lower-cased e-mails) that overlap `window`.
    func reservations(of interviewers: [String], overlapping window: Interval, in transaction: Transaction) async throws -> [TimeReservation]

    /// What the saga `sagaID` holds or has booked.
    func reservations(of sagaID: String, in transaction: Transaction) async throws -> [TimeReservation]

    /// Holds every claim for `holder`, replacing what it held before, or none of them: the
    /// reservations of other interviews that overlap, when there are any.
    func hold(_ claims: [TimeClaim], for holder: ReservationHolder, in transaction: Transaction) async throws -> [TimeReservation]

    /// What a saga's end means for the time it claimed (see `SagaSettlement`).
    func settle(_ settlement: LedgerSettlement, in transaction: Transaction) async throws

    /// Held reservations whose saga has ended: the watchdog's gauge, which must read 0.
    func orphanedHolds(in transaction: Transaction) async throws -> Int
}

/// What happens to reserved time when a saga ends.
package enum LedgerSettlement: Hashable, Sendable {
    /// The interview is confirmed at the time `sagaID` holds; any other time the interview
    /// had (before a reschedule) is released.
    case confirm(sagaID: String, interviewID: String)
    /// The saga ended without confirming: what it held is released.
    case release(sagaID: String)
    /// The interview is cancelled: all its time is released.
    case cancel(interviewID: String)
}
