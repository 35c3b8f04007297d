import Foundation
package import GRDB
package import SchedulingCore

/// The ledger as a table in the saga database. Claims are serialised by SQLite's single
/// writer; a trigger refuses two reservations of one interviewer that overlap for different
/// interviews, whatever code path writes them.
package struct SQLiteInterviewerTimeLedger: InterviewerTimeLedger {
    package typealias Transaction = Database

    package init() {}

    package func reservations(of interviewers: [String], overlapping window: Interval, in db: Database) throws -> [TimeReservation] {
        guard !interviewers.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: interviewers.count).joined(separator: ", ")
        var arguments = StatementArguments(interviewers.map { $0.lowercased() })
        arguments += [window.end.secondsSinceEpoch, window.start.secondsSinceEpoch]
        return try Row.fetchAll(
            db, sql: "SELECT * FROM interviewer_reservation WHERE interviewer IN (\(marks)) AND start < ? AND \"end\" > ? ORDER BY start",
            arguments: arguments
        ).map(Self.reservation)
    }

    package func reservations(of sagaID: String, in db: Database) throws -> [TimeReservation] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM interviewer_reservation WHERE saga_id = ? ORDER BY interviewer"), arguments: [sagaID])
            .map(
                Self.reservation)
    }

    package func hold(_ claims: [TimeClaim], for holder: ReservationHolder, in db: Database) throws -> [TimeReservation] {
        var conflicts: [TimeReservation] = []
        for claim in claims {
            conflicts += try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM interviewer_reservation
                        WHERE interviewer = ? AND start < ? AND "end" > ? AND interview_id != ?
                        """),
                arguments: [claim.interviewer, claim.interval.end.secondsSinceEpoch, claim.interval.start.secondsSinceEpoch, holder.interviewID]
            ).map(Self.reservation)
        }
        // All or none: on a conflict, what the holder held before stays held.
        guard conflicts.isEmpty else { return conflicts }
        try db.cachedStatement(sql: "DELETE FROM interviewer_reservation WHERE saga_id = ? AND kind = 'held'").execute(arguments: [holder.sagaID])
        let now = Int64(Date().timeIntervalSince1970)
        for claim in claims {
            try insert(
                interviewer: claim.interviewer, interval: claim.interval, slotStart: claim.slotStart, sagaID: holder.sagaID,
                interviewID: holder.interviewID,
                kind: .held, at: now, in: db)
        }
        return []
    }

    private func insert(
        interviewer: String, interval: Interval, slotStart: Instant, sagaID: String, interviewID: String, kind: TimeReservation.Kind, at: Int64,
        in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO interviewer_reservation (interviewer, start, "end", slot_start, saga_id, interview_id, kind, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            interviewer, interval.start.secondsSinceEpoch, interval.end.secondsSinceEpoch, slotStart.secondsSinceEpoch, sagaID, interviewID,
            kind.rawValue, at,
        ])
    }

    package func settle(_ settlement: LedgerSettlement, in db: Database) throws {
        switch settlement {
        case .confirm(let sagaID, let interviewID):
            let held =
                try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM interviewer_reservation WHERE saga_id = ?"), arguments: [sagaID]) ?? 0
            try db.cachedStatement(sql: "DELETE FROM interviewer_reservation WHERE interview_id = ? AND saga_id != ?").execute(arguments: [
                interviewID, sagaID,
            ])
            if held == 0 {
                // A saga that chose its slot before the ledger existed: its time, as the
                // interview now records it, is booked here.
                try Self.recordConfirmedInterviews(in: db, only: interviewID)
            }
            try db.cachedStatement(sql: "UPDATE interviewer_reservation SET kind = 'booked' WHERE saga_id = ?").execute(arguments: [sagaID])
        case .release(let sagaID):
            try db.cachedStatement(sql: "DELETE FROM interviewer_reservation WHERE saga_id = ? AND kind = 'held'").execute(arguments: [sagaID])
        case .cancel(let interviewID):
            try db.cachedStatement(sql: "DELETE FROM interviewer_reservation WHERE interview_id = ?").execute(arguments: [interviewID])
        }
    }

    package func orphanedHolds(in db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT COUNT(*) FROM interviewer_reservation r LEFT JOIN saga_instance s ON s.id = r.saga_id
                    WHERE r.kind = 'held' AND (s.id IS NULL OR s.status IN ('completed', 'compensated', 'failed'))
                    """)) ?? 0
    }

    private static func reservation(_ row: Row) -> TimeReservation {
        TimeReservation(
            interviewer: row["interviewer"],
            interval: Interval(start: Instant(secondsSinceEpoch: row["start"]), end: Instant(secondsSinceEpoch: row["end"])),
            slotStart: Instant(secondsSinceEpoch: row["slot_start"]), sagaID: row["saga_id"], interviewID: row["interview_id"],
            kind: TimeReservation.Kind(rawValue: row["kind"]) ?? .held)
    }

    /// Books the time of confirmed interviews that have no reservation (recorded before the
    /// ledger existed, or imported). Bookings that overlap one already in the ledger are
    /// skipped and counted: they were made before the ledger could refuse them.
    @discardableResult
    package static func recordConfirmedInterviews(in db: Database, only interviewID: String? = nil) throws -> (recorded: Int, overlapping: Int) {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT i.id, i.request_id, i.start, i."end", lower(json_extract(b.value, '$.calendar')) AS interviewer, i.created_at
                    FROM interview i, json_each(i.bookings) b
                    WHERE i.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM interviewer_reservation r WHERE r.interview_id = i.id)
                        AND (? IS NULL OR i.id = ?)
                    ORDER BY i.start, i.id
                    """), arguments: [interviewID, interviewID])
        var recorded = 0, overlapping = 0
        for row in rows {
            let interviewer: String? = row["interviewer"]
            guard let interviewer else { continue }
            let start: Int64 = row["start"], end: Int64 = row["end"], id: String = row["id"]
            let taken =
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT EXISTS (SELECT 1 FROM interviewer_reservation WHERE interviewer = ? AND start < ? AND \"end\" > ? AND interview_id != ?)"
                    ),
                    arguments: [interviewer, end, start, id]) ?? false
            if taken {
                overlapping += 1
                continue
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO interviewer_reservation (interviewer, start, "end", slot_start, saga_id, interview_id, kind, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'booked', ?)
                    """
            ).execute(arguments: [interviewer, start, end, start, row["request_id"] as String, id, row["created_at"] as Int64])
            recorded += 1
        }
        return (recorded, overlapping)
    }
}
