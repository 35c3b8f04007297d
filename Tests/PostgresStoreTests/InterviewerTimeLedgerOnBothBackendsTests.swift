import Foundation
import InterviewScheduling
import SagaCore
import SchedulingCore
import Testing

/// The interviewer-time ledger's contract, asserted alike of SQLite and PostgreSQL: all or
/// none, what is in the way named, a holder's own time replaced, settlement, and no two
/// interviews of one interviewer overlapping whatever runs at once or writes around it.
@Suite("Interviewer-time ledger on SQLite and PostgreSQL")
struct InterviewerTimeLedgerOnBothBackendsTests {
    /// Minutes after a fixed morning, as an instant.
    static func at(_ minutes: Int64) -> Instant { Instant(secondsSinceEpoch: 1_800_000_000 + minutes * 60) }
    static func claim(_ interviewer: String, _ from: Int64, _ to: Int64) -> TimeClaim {
        TimeClaim(interviewer: interviewer, interval: Interval(start: at(from), end: at(to)), slotStart: at(from))
    }
    static func holder(_ saga: String, _ interview: String) -> ReservationHolder { ReservationHolder(sagaID: saga, interviewID: interview) }

    @Test(arguments: Backend.allCases)
    func aClaimIsAllOrNoneAndNamesWhatIsInTheWay(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        #expect(
            try await ledger.hold(
                [Self.claim("alice@x.example", 0, 60), Self.claim("Bob@X.example", 0, 60)], for: Self.holder("a", "i-a"), instance: 0
            ).isEmpty)
        let conflicts = try await ledger.hold(
            [Self.claim("carol@x.example", 30, 90), Self.claim("bob@x.example", 30, 90)], for: Self.holder("b", "i-b"), instance: ledger.instances - 1
        )
        #expect(conflicts.map(\.interviewer) == ["bob@x.example"] && conflicts.map(\.interviewID) == ["i-a"], "\(conflicts)")
        #expect(try await ledger.reservations(of: "b").isEmpty, "carol's time is not held either")
        let window = Interval(start: Self.at(-60), end: Self.at(120))
        #expect(
            try await ledger.reservations(of: ["ALICE@x.example", "carol@x.example"], overlapping: window).map(\.interviewer) == ["alice@x.example"])
        #expect(
            try await ledger.reservations(of: ["alice@x.example"], overlapping: Interval(start: Self.at(60), end: Self.at(120))).isEmpty,
            "touching is not overlapping")
    }

    @Test(arguments: Backend.allCases)
    func aHolderReplacesItsOwnTimeAndAnInterviewMayOverlapItself(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        #expect(try await ledger.hold([Self.claim("alice@x.example", 0, 60)], for: Self.holder("a", "i-a"), instance: 0).isEmpty)
        #expect(try await ledger.hold([Self.claim("alice@x.example", 120, 180)], for: Self.holder("a", "i-a"), instance: 0).isEmpty)
        #expect(try await ledger.reservations(of: "a").map(\.interval.start) == [Self.at(120)], "the earlier hold is replaced")
        // A reschedule of the same interview, by another saga, may overlap the time it moves from.
        #expect(try await ledger.hold([Self.claim("alice@x.example", 150, 210)], for: Self.holder("a2", "i-a"), instance: 0).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func settlingConfirmsReleasesAndCancels(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        _ = try await ledger.hold([Self.claim("alice@x.example", 0, 60)], for: Self.holder("a", "i-a"), instance: 0)
        try await ledger.settle(.confirm(sagaID: "a", interviewID: "i-a"))
        #expect(try await ledger.reservations(of: "a").map(\.kind) == [.booked])
        // The interview moves: the new saga's time is booked, the old time let go.
        _ = try await ledger.hold([Self.claim("alice@x.example", 240, 300)], for: Self.holder("a2", "i-a"), instance: 0)
        try await ledger.settle(.confirm(sagaID: "a2", interviewID: "i-a"))
        #expect(try await ledger.reservations(of: "a").isEmpty)
        #expect(try await ledger.reservations(of: "a2").map(\.kind) == [.booked])
        // A saga that ends without confirming lets its hold go; a booking stays.
        _ = try await ledger.hold([Self.claim("bob@x.example", 0, 60)], for: Self.holder("c", "i-c"), instance: 0)
        try await ledger.settle(.release(sagaID: "c"))
        try await ledger.settle(.release(sagaID: "a2"))
        #expect(try await ledger.reservations(of: "c").isEmpty)
        #expect(try await ledger.reservations(of: "a2").count == 1)
        try await ledger.settle(.cancel(interviewID: "i-a"))
        #expect(try await ledger.reservations(of: "a2").isEmpty)
        #expect(
            try await ledger.hold([Self.claim("alice@x.example", 240, 300)], for: Self.holder("d", "i-d"), instance: 0).isEmpty,
            "the time is free again")
    }

    /// Twenty-four sagas claim two interviewers' time at once, every claim overlapping every
    /// other, half of them on each instance and half listing the two in the other order (which
    /// would deadlock two claims taking them in the order given). Exactly one holds it; every
    /// other is told whose interview is in the way and holds nothing, not even the time of a
    /// third interviewer no one else asked for.
    @Test(arguments: Backend.allCases)
    func ofManyOverlappingClaimsAtOnceExactlyOneHolds(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        let outcomes = try await withThrowingTaskGroup(of: (Int, [TimeReservation]).self) { group in
            for index in 0..<24 {
                group.addTask {
                    var claims = [
                        Self.claim("shared@x.example", Int64(index), Int64(index) + 60),
                        Self.claim("also-shared@x.example", Int64(index), Int64(index) + 60),
                        Self.claim("own-\(index)@x.example", 0, 60),
                    ]
                    if index.isMultiple(of: 2) { claims.reverse() }
                    let conflicts = try await ledger.hold(claims, for: Self.holder("s-\(index)", "i-\(index)"), instance: index % ledger.instances)
                    return (index, conflicts)
                }
            }
            return try await group.reduce(into: [Int: [TimeReservation]]()) { $0[$1.0] = $1.1 }
        }
        let winners = outcomes.filter { $0.value.isEmpty }.map(\.key)
        #expect(winners.count == 1, "\(winners)")
        let winner = try #require(winners.first)
        for (index, conflicts) in outcomes where index != winner {
            #expect(Set(conflicts.map(\.interviewID)) == ["i-\(winner)"] && !conflicts.isEmpty, "saga \(index) is told what is in the way")
            #expect(try await ledger.reservations(of: "s-\(index)").isEmpty, "saga \(index) holds nothing")
        }
        let day = Interval(start: Self.at(-600), end: Self.at(600))
        #expect(
            try await ledger.reservations(of: ["shared@x.example", "also-shared@x.example"], overlapping: day).map(\.sagaID) == [
                "s-\(winner)", "s-\(winner)",
            ])
    }

    @Test(arguments: Backend.allCases)
    func theDatabaseRefusesAnOverlapWrittenAroundTheLedger(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        _ = try await ledger.hold([Self.claim("alice@x.example", 0, 60)], for: Self.holder("a", "i-a"), instance: 0)
        await #expect(throws: (any Error).self) {
            try await ledger.insertAroundTheLedger(
                interviewer: "alice@x.example", interval: Interval(start: Self.at(59), end: Self.at(90)), sagaID: "b", interviewID: "i-b")
        }
        try await ledger.insertAroundTheLedger(
            interviewer: "alice@x.example", interval: Interval(start: Self.at(60), end: Self.at(90)), sagaID: "b", interviewID: "i-b")
        #expect(try await ledger.reservations(of: "b").count == 1, "right after is not overlapping")
    }

    @Test(arguments: Backend.allCases)
    func holdsOfSagasThatAreGoneAreCountedAsOrphaned(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        try await ledger.sagas.insert(Sagas.started("running"))
        _ = try await ledger.hold([Self.claim("alice@x.example", 0, 60)], for: Self.holder("running", "i-1"), instance: 0)
        #expect(try await ledger.orphanedHolds() == 0)
        _ = try await ledger.hold([Self.claim("bob@x.example", 0, 60)], for: Self.holder("gone", "i-2"), instance: 0)
        #expect(try await ledger.orphanedHolds() == 1)
    }

    /// Holds no settlement will come for (their saga is gone, or ended while something wrote
    /// around the hook) are settled at start-up as the saga's end says; a running saga keeps its hold.
    @Test(arguments: Backend.allCases)
    func holdsOfEndedOrMissingSagasAreSettledByTheStartUpRepair(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        try await ledger.sagas.insert(Sagas.started("running"))
        _ = try await ledger.hold([Self.claim("alice@x.example", 0, 60)], for: Self.holder("running", "i-1"), instance: 0)
        _ = try await ledger.hold([Self.claim("bob@x.example", 0, 60)], for: Self.holder("gone", "i-2"), instance: 0)
        var start = Sagas.started("r-done")
        start.instance.type = "interview-scheduling"
        try await ledger.sagas.insert(start)
        var end = Sagas.begin(start.instance, at: Sagas.epoch.addingTimeInterval(1))
        end.instance.status = .completed
        _ = try await ledger.sagas.commit(end)
        let hour = Interval(start: Instant(secondsSinceEpoch: 7_200), end: Instant(secondsSinceEpoch: 10_800))
        try await ledger.insertAroundTheLedger(interviewer: "carol@x.example", interval: hour, sagaID: "r-done", interviewID: "iv-r-done")
        #expect(try await ledger.orphanedHolds() == 2)

        #expect(try await ledger.repair() == 2)
        #expect(try await ledger.orphanedHolds() == 0)
        #expect(try await ledger.reservations(of: "gone").isEmpty, "a missing saga's hold is released")
        #expect(try await ledger.reservations(of: "r-done").map(\.kind) == [.booked], "a confirmed request keeps its time")
        #expect(try await ledger.reservations(of: "running").map(\.kind) == [.held], "a running saga keeps its hold")
        #expect(try await ledger.repair() == 0)
    }

    /// A saga's end settles its time in the transaction that stores the end: a request that
    /// failed lets its hold go, a confirmed one keeps its time as booked.
    @Test(arguments: Backend.allCases)
    func aSagasEndSettlesItsTimeInTheSameCommit(backend: Backend) async throws {
        let (ledger, close) = try await backend.openLedger()
        defer { close() }
        // The second end arrives as an event through the inbox, which stores it in the same way.
        for (index, (id, status, kinds)) in [("r-failed", SagaStatus.failed, []), ("r-confirmed", .completed, [TimeReservation.Kind.booked])]
            .enumerated()
        {
            var start = Sagas.started(id)
            start.instance.type = "interview-scheduling"
            try await ledger.sagas.insert(start)
            let from = Int64(index) * 120
            #expect(try await ledger.hold([Self.claim("alice@x.example", from, from + 60)], for: Self.holder(id, "iv-\(id)"), instance: 0).isEmpty)
            var end = Sagas.begin(start.instance, at: Sagas.epoch.addingTimeInterval(1))
            end.instance.status = status
            if index == 0 {
                _ = try await ledger.sagas.commit(end)
            } else {
                _ = try await ledger.sagas.receive(messageID: "m-\(id)", topic: "replies", at: Sagas.epoch, transition: end, ignoredBecause: nil)
            }
            #expect(try await ledger.reservations(of: id).map(\.kind) == kinds, "\(id)")
        }
        #expect(try await ledger.orphanedHolds() == 0)
    }

    /// Where the backends differ on purpose: a confirmed saga that held nothing leaves the
    /// interview's booked time as it was on PostgreSQL (SQLite books it from the interview's
    /// record, which PostgreSQL does not have).
    @Test func onPostgreSQLAConfirmWithNothingHeldKeepsTheBookedTime() async throws {
        let (ledger, close) = try await Backend.postgres.openLedger()
        defer { close() }
        _ = try await ledger.hold([Self.claim("alice@x.example", 0, 60)], for: Self.holder("a", "i-a"), instance: 0)
        try await ledger.settle(.confirm(sagaID: "a", interviewID: "i-a"))
        try await ledger.settle(.confirm(sagaID: "a2", interviewID: "i-a"))
        #expect(try await ledger.reservations(of: "a").map(\.kind) == [.booked])
    }
}
