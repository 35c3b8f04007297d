import Foundation
package import Logging
package import PostgresNIO
package import SchedulingCore

/// The ledger in a PostgreSQL database that several instances share. The exclusion
/// constraint `interviewer_reservation_no_overlap` (`PostgresInterviewSchema`) is what makes
/// two instances unable to hold overlapping time for one interviewer: a claim that races
/// another past the check for conflicts waits for it at the insert, and fails there if it
/// committed. Two claims that insert overlapping rows at the same moment can also wait for
/// each other (PostgreSQL then aborts one as a deadlock); either way the loser's inserts are
/// undone to a savepoint and it looks again, which finds the winner's time in the way.
/// Claims are inserted in one order (interviewer, then start), which keeps such cycles to
/// that one moment.
package struct PostgresInterviewerTimeLedger: InterviewerTimeLedger {
    package typealias Transaction = PostgresConnection

    let logger: Logger

    package init(logger: Logger = Logger(label: "ledger")) {
        self.logger = logger
    }

    static let columns = #"interviewer, start, "end", slot_start, saga_id, interview_id, kind"#

    package func reservations(
        of interviewers: [String], overlapping window: Interval, in connection: PostgresConnection
    ) async throws
        -> [TimeReservation]
    {
        guard !interviewers.isEmpty else { return [] }
        return try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM interviewer_reservation
            WHERE interviewer = ANY(\(interviewers.map { $0.lowercased() })) AND start < \(window.end.secondsSinceEpoch)
                AND "end" > \(window.start.secondsSinceEpoch)
            ORDER BY start
            """, on: connection)
    }

    package func reservations(of sagaID: String, in connection: PostgresConnection) async throws -> [TimeReservation] {
        try await fetch(
            "SELECT \(unescaped: Self.columns) FROM interviewer_reservation WHERE saga_id = \(sagaID) ORDER BY interviewer", on: connection)
    }

    package func hold(_ claims: [TimeClaim], for holder: ReservationHolder, in connection: PostgresConnection) async throws -> [TimeReservation] {
        let ordered = claims.sorted { ($0.interviewer, $0.interval.start) < ($1.interviewer, $1.interval.start) }
        // The first look sees what is committed; a claim that commits after it is met at the
        // insert, which then fails, and the next look sees it.
        for _ in 0..<Self.attempts {
            let conflicts = try await self.conflicts(with: ordered, of: holder, on: connection)
            guard conflicts.isEmpty else { return conflicts }
            try await connection.query("SAVEPOINT ledger_hold", logger: logger)
            do {
                try await connection.query(
                    "DELETE FROM interviewer_reservation WHERE saga_id = \(holder.sagaID) AND kind = 'held'", logger: logger)
                let now = Int64(Date().timeIntervalSince1970)
                for claim in ordered {
                    try await connection.query(
                        """
                        INSERT INTO interviewer_reservation (\(unescaped: Self.columns), created_at) VALUES (
                            \(claim.interviewer), \(claim.interval.start.secondsSinceEpoch), \(claim.interval.end.secondsSinceEpoch),
                            \(claim.slotStart.secondsSinceEpoch), \(holder.sagaID), \(holder.interviewID), 'held', \(now))
                        """, logger: logger)
                }
                try await connection.query("RELEASE SAVEPOINT ledger_hold", logger: logger)
                return []
            } catch let error as PSQLError where Self.lostTheRace.contains(error.serverInfo?[.sqlState] ?? "") {
                try await connection.query("ROLLBACK TO SAVEPOINT ledger_hold", logger: logger)
            }
        }
        throw LedgerContention(interviewers: ordered.map(\.interviewer))
    }

    /// How many times a claim looks again after losing a race at the insert.
    static let attempts = 5
    /// SQLSTATE `exclusion_violation` (another claim committed first) and `deadlock_detected`
    /// (two claims inserting at the same moment waited for each other).
    static let lostTheRace: Set<String> = ["23P01", "40P01"]

    private func conflicts(
        with claims: [TimeClaim], of holder: ReservationHolder, on connection: PostgresConnection
    ) async throws
        -> [TimeReservation]
    {
        var conflicts: [TimeReservation] = []
        for claim in claims {
            conflicts += try await fetch(
                """
                SELECT \(unescaped: Self.columns) FROM interviewer_reservation
                WHERE interviewer = \(claim.interviewer) AND start < \(claim.interval.end.secondsSinceEpoch)
                    AND "end" > \(claim.interval.start.secondsSinceEpoch) AND interview_id <> \(holder.interviewID)
                """, on: connection)
        }
        return conflicts
    }

    /// Settles as the SQLite ledger does, except for a confirmed saga that holds nothing: the
    /// SQLite ledger then books the interview's time as its record says (interviews from
    /// before the ledger), which a PostgreSQL database does not have; here the interview keeps
    /// the time it had booked. Every interview saga holds time before it confirms.
    package func settle(_ settlement: LedgerSettlement, in connection: PostgresConnection) async throws {
        switch settlement {
        case .confirm(let sagaID, let interviewID):
            try await connection.query(
                """
                DELETE FROM interviewer_reservation WHERE interview_id = \(interviewID) AND saga_id <> \(sagaID)
                    AND EXISTS (SELECT 1 FROM interviewer_reservation WHERE saga_id = \(sagaID))
                """, logger: logger)
            try await connection.query("UPDATE interviewer_reservation SET kind = 'booked' WHERE saga_id = \(sagaID)", logger: logger)
        case .release(let sagaID):
            try await connection.query("DELETE FROM interviewer_reservation WHERE saga_id = \(sagaID) AND kind = 'held'", logger: logger)
        case .cancel(let interviewID):
            try await connection.query("DELETE FROM interviewer_reservation WHERE interview_id = \(interviewID)", logger: logger)
        }
    }

    package func orphanedHolds(in connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            """
            SELECT COUNT(*) FROM interviewer_reservation r LEFT JOIN saga_instance s ON s.id = r.saga_id
            WHERE r.kind = 'held' AND (s.id IS NULL OR s.status IN ('completed', 'compensated', 'failed'))
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    private func fetch(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [TimeReservation] {
        var reservations: [TimeReservation] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (interviewer, start, end, slotStart, sagaID, interviewID, kind) in rows.decode(
            (String, Int64, Int64, Int64, String, String, String).self)
        {
            reservations.append(
                TimeReservation(
                    interviewer: interviewer, interval: Interval(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end)),
                    slotStart: Instant(secondsSinceEpoch: slotStart), sagaID: sagaID, interviewID: interviewID,
                    kind: TimeReservation.Kind(rawValue: kind) ?? .held))
        }
        return reservations
    }
}

/// A claim lost the race at the insert more often than `PostgresInterviewerTimeLedger`
/// looks again: a transient failure, to be retried as one.
package struct LedgerContention: Error, CustomStringConvertible {
    package let interviewers: [String]
    package var description: String {
        "the time of \(interviewers.joined(separator: ", ")) was claimed by other interviews at the same moment, \(PostgresInterviewerTimeLedger.attempts) times in a row"
    }
}
