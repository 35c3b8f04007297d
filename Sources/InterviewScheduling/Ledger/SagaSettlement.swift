import GRDB
import SagaCore
package import SagaStore

/// What the end of an interview saga means for the interviewer time it claimed, applied in
/// the transaction that stores the end (`SagaStore`'s settlement hook): no hold outlives
/// its saga, whichever way it ends.
package enum SagaSettlement {
    /// The hook for `SagaStore(whenSettled:)`.
    package static func hook(ledger: SQLiteInterviewerTimeLedger = SQLiteInterviewerTimeLedger()) -> SettlementHook {
        { instance, db in
            guard let settlement = settlement(of: instance) else { return }
            try ledger.settle(settlement, in: db)
        }
    }

    /// Confirmed interviews keep their time (a reschedule's new time replaces the old);
    /// anything else releases what the saga held; a completed cancellation frees the interview.
    static func settlement(of instance: SagaInstance) -> LedgerSettlement? {
        switch InterviewSagaKind(rawValue: instance.type) {
        case .scheduling:
            guard instance.status == .completed else { return .release(sagaID: instance.id) }
            return .confirm(sagaID: instance.id, interviewID: InterviewIDs.interview(forRequest: instance.id))
        case .rescheduling:
            guard instance.status == .completed, let data = try? instance.data.decoded(as: ReschedulingSagaData.self) else {
                return .release(sagaID: instance.id)
            }
            return .confirm(sagaID: instance.id, interviewID: data.interviewId)
        case .cancellation:
            guard instance.status == .completed, let data = try? instance.data.decoded(as: CancellationSagaData.self) else { return nil }
            return .cancel(interviewID: InterviewIDs.interview(forRequest: data.requestId))
        case nil:
            return nil
        }
    }
}
