package import GRDB
package import Logging
package import PostgresNIO
package import PostgresStore
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

    /// The hook for `PostgresSagaStore(whenSettled:)`: the same settlement, on PostgreSQL.
    package static func postgresHook(ledger: PostgresInterviewerTimeLedger = PostgresInterviewerTimeLedger()) -> PostgresSettlementHook {
        { instance, connection in
            guard let settlement = settlement(of: instance) else { return }
            try await ledger.settle(settlement, in: connection)
        }
    }

    /// Settles holds whose saga ended without the hook (a tool that opened the database
    /// without it) or no longer exists; returns how many sagas it settled. Run at start-up.
    @discardableResult
    package static func repair(in db: Database, ledger: SQLiteInterviewerTimeLedger = SQLiteInterviewerTimeLedger()) throws -> Int {
        let orphaned = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT r.saga_id FROM interviewer_reservation r LEFT JOIN saga_instance s ON s.id = r.saga_id
                    WHERE r.kind = 'held' AND (s.id IS NULL OR s.status IN ('completed', 'compensated', 'failed'))
                    """))
        for sagaID in orphaned {
            if let instance = try SagaStore.instance(id: sagaID, in: db), let settlement = settlement(of: instance) {
                try ledger.settle(settlement, in: db)
            } else {
                try ledger.settle(.release(sagaID: sagaID), in: db)
            }
        }
        return orphaned.count
    }

    /// `repair(in:)` on PostgreSQL, in the caller's transaction. Safe beside running
    /// instances: a saga's end and its settlement commit together, so a hold it finds is one
    /// no settlement will come for.
    @discardableResult
    package static func repair(
        on connection: PostgresConnection, logger: Logger, ledger: PostgresInterviewerTimeLedger = PostgresInterviewerTimeLedger()
    ) async throws -> Int {
        let orphaned = try await connection.query(
            """
            SELECT DISTINCT r.saga_id FROM interviewer_reservation r LEFT JOIN saga_instance s ON s.id = r.saga_id
            WHERE r.kind = 'held' AND (s.id IS NULL OR s.status IN ('completed', 'compensated', 'failed'))
            """, logger: logger
        ).collect()
        for row in orphaned {
            let sagaID = try row.decode(String.self)
            if let instance = try await PostgresSagaStore.instance(id: sagaID, on: connection, logger: logger),
                let settlement = settlement(of: instance)
            {
                try await ledger.settle(settlement, in: connection)
            } else {
                try await ledger.settle(.release(sagaID: sagaID), in: connection)
            }
        }
        return orphaned.count
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
        case .erasure, nil:
            return nil  // an erasure holds no time
        }
    }
}
