import Foundation
import GRDB
import InterviewScheduling
import PostgresNIO
import PostgresStore
import SagaStore
import SchedulerTesting
import SchedulingCore

/// The interviewer-time ledger on either backend, each call in a transaction of its own, so
/// that one suite asserts the same of both. On PostgreSQL there are two instances (two
/// connection pools on one database), as two service processes would have; on SQLite there is
/// one, since a second process is refused.
protocol LedgerBackend: Sendable {
    var instances: Int { get }
    func hold(_ claims: [TimeClaim], for holder: ReservationHolder, instance: Int) async throws -> [TimeReservation]
    func settle(_ settlement: LedgerSettlement) async throws
    func reservations(of sagaID: String) async throws -> [TimeReservation]
    func reservations(of interviewers: [String], overlapping window: Interval) async throws -> [TimeReservation]
    func orphanedHolds() async throws -> Int
    /// Settles the holds of sagas that ended without their settlement, as `serve` does at start-up.
    func repair() async throws -> Int
    /// Inserts a reservation with plain SQL, past the ledger's own check.
    func insertAroundTheLedger(interviewer: String, interval: Interval, sagaID: String, interviewID: String) async throws
    /// The saga store of the same database, opened as the service opens it (with the
    /// settlement hook).
    var sagas: any SagaStoreBackend { get }
}

struct SQLiteLedgerBackend: LedgerBackend {
    let store: SagaStore
    let ledger = SQLiteInterviewerTimeLedger()
    var instances: Int { 1 }

    func hold(_ claims: [TimeClaim], for holder: ReservationHolder, instance: Int) async throws -> [TimeReservation] {
        try await store.write { [ledger] db in try ledger.hold(claims, for: holder, in: db) }
    }

    func settle(_ settlement: LedgerSettlement) async throws {
        try await store.write { [ledger] db in try ledger.settle(settlement, in: db) }
    }

    func reservations(of sagaID: String) async throws -> [TimeReservation] {
        try await store.read { [ledger] db in try ledger.reservations(of: sagaID, in: db) }
    }

    func reservations(of interviewers: [String], overlapping window: Interval) async throws -> [TimeReservation] {
        try await store.read { [ledger] db in try ledger.reservations(of: interviewers, overlapping: window, in: db) }
    }

    func orphanedHolds() async throws -> Int {
        try await store.read { [ledger] db in try ledger.orphanedHolds(in: db) }
    }

    func repair() async throws -> Int {
        try await store.write { db in try SagaSettlement.repair(in: db) }
    }

    func insertAroundTheLedger(interviewer: String, interval: Interval, sagaID: String, interviewID: String) async throws {
        try await store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO interviewer_reservation (interviewer, start, "end", slot_start, saga_id, interview_id, kind, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'held', 0)
                    """,
                arguments: [
                    interviewer, interval.start.secondsSinceEpoch, interval.end.secondsSinceEpoch, interval.start.secondsSinceEpoch, sagaID,
                    interviewID,
                ])
        }
    }

    var sagas: any SagaStoreBackend { store }
}

struct PostgresLedgerBackend: LedgerBackend {
    let stores: [PostgresSagaStore]
    let ledger = PostgresInterviewerTimeLedger()
    var instances: Int { stores.count }

    func transaction<T: Sendable>(instance: Int = 0, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await stores[instance].database.transaction(body)
    }

    func hold(_ claims: [TimeClaim], for holder: ReservationHolder, instance: Int) async throws -> [TimeReservation] {
        try await transaction(instance: instance) { try await ledger.hold(claims, for: holder, in: $0) }
    }

    func settle(_ settlement: LedgerSettlement) async throws {
        try await transaction { try await ledger.settle(settlement, in: $0) }
    }

    func reservations(of sagaID: String) async throws -> [TimeReservation] {
        try await transaction { try await ledger.reservations(of: sagaID, in: $0) }
    }

    func reservations(of interviewers: [String], overlapping window: Interval) async throws -> [TimeReservation] {
        try await transaction { try await ledger.reservations(of: interviewers, overlapping: window, in: $0) }
    }

    func orphanedHolds() async throws -> Int {
        try await transaction { try await ledger.orphanedHolds(in: $0) }
    }

    func repair() async throws -> Int {
        try await transaction(instance: 1) { try await SagaSettlement.repair(on: $0, logger: stores[1].database.logger) }
    }

    func insertAroundTheLedger(interviewer: String, interval: Interval, sagaID: String, interviewID: String) async throws {
        try await stores[0].database.query(
            """
            INSERT INTO interviewer_reservation (interviewer, start, "end", slot_start, saga_id, interview_id, kind, created_at)
            VALUES (\(interviewer), \(interval.start.secondsSinceEpoch), \(interval.end.secondsSinceEpoch), \(interval.start.secondsSinceEpoch),
                \(sagaID), \(interviewID), 'held', 0)
            """)
    }

    var sagas: any SagaStoreBackend { stores[0] }
}

extension Backend {
    /// The service's database, fresh, with its whole schema: one SQLite store, or the stores of
    /// two instances (each with its own pool) on one new PostgreSQL database; `sqlite` or
    /// `postgres` makes the suite's backend of it.
    func openServiceDatabase<T>(
        prefix: String, sqlite: (SagaStore) -> T, postgres: ([PostgresSagaStore]) -> T
    ) async throws -> (backend: T, close: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: prefix)
            return (sqlite(try ServiceDatabase.open(path: directory.path("sagas.sqlite"))), { directory.remove() })
        case .postgres:
            let url = try await PostgresTestServer.shared().newDatabase()
            var stores: [PostgresSagaStore] = []
            for _ in 0..<2 { stores.append(try await PostgresServiceDatabase.open(PostgresDatabase(url: url, maximumConnections: 8))) }
            return (postgres(stores), { [stores] in for store in stores { store.database.close() } })
        }
    }

    /// The ledger on a fresh database of this backend.
    func openLedger() async throws -> (ledger: any LedgerBackend, close: @Sendable () -> Void) {
        let (ledger, close) = try await openServiceDatabase(
            prefix: "ledger", sqlite: { SQLiteLedgerBackend(store: $0) as any LedgerBackend }, postgres: { PostgresLedgerBackend(stores: $0) })
        return (ledger, close)
    }
}
