package import Foundation
package import SagaCore
package import SchedulingCore

/// What an interview saga's step writes to the interview tables and the candidate's mail
/// outbox: the same values on either backend, applied by its `InterviewSagaStorage`.
package enum InterviewWrite: Sendable {
    /// A booked interview (nothing if it is stored already).
    case insert(InterviewRecord)
    /// The interview cancelled with its METHOD:CANCEL (nothing if it is cancelled already).
    case cancel(interviewID: String, cancelInvite: String)
    /// A confirmed interview moved, with its new METHOD:REQUEST.
    case move(interviewID: String, slot: Interval, sequence: Int, invite: String)
    /// The candidate's e-mail, rendered before the transaction (nothing if it is queued already).
    case queueRenderedMail(RenderedCandidateMail, at: Date)

    /// The candidate's e-mail, rendered here, outside the transaction that will queue it.
    static func queueMail(_ mail: CandidateMail, at date: Date) -> InterviewWrite {
        .queueRenderedMail(RenderedCandidateMail(mail), at: date)
    }
}

/// The port through which the interview sagas' steps reach their database: the ledger, the
/// interview tables and the mail outbox, either in the transaction that stores the step's
/// result (a `Decision`, which the engine runs) or in a transaction of their own.
///
/// `SQLiteInterviewSagaStorage` (one process, GRDB) and `PostgresInterviewSagaStorage` (several
/// instances on one database) implement it over the ports of each table, so that the steps'
/// own logic is written once.
package protocol InterviewSagaStorage: Sendable {
    /// The engine's store's decision type (`SagaWorkStore.Decision`).
    associatedtype Decision: Sendable

    /// Writes `writes`, then stores `outcome`, in one transaction.
    func decision(writing writes: [InterviewWrite], then outcome: StepOutcome) -> Decision

    /// Holds the slot `claim` chooses, then stores the outcome made of it, in one transaction.
    func decision(claiming claim: SlotClaim, then outcome: @escaping @Sendable (Interval) throws -> StepOutcome) -> Decision

    /// Writes `writes` in a transaction of their own.
    func write(_ writes: [InterviewWrite]) async throws

    /// Holds the slot `claim` chooses, in a transaction of its own.
    func claimSlot(_ claim: SlotClaim) async throws -> Interval

    /// What the saga `sagaID` holds or has booked.
    func reservations(of sagaID: String) async throws -> [TimeReservation]

    func interview(id: String) async throws -> InterviewRecord?
}
