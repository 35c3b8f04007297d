import CalendarProviders
import Events
import Foundation
import GRDB
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import SchedulingCore
import Synchronization
import Testing

@testable import InterviewScheduling

/// Many sagas for one panel at once over real SQLite: the ledger lets no interviewer be
/// booked twice, and caps hold under the same concurrency.
@Suite("Interviewer-time ledger under concurrent sagas")
struct InterviewerTimeLedgerTests {
    /// A panel in one zone, fourteen working days from Tuesday 24 November 2026: 8 hours a
    /// day, room for 112 one-hour interviews.
    static func panel(candidate: String, caps: String = "", window: (String, String) = ("2026-11-24T00:00:00Z", "2026-12-12T00:00:00Z")) -> String {
        """
        {"candidate": {"id": "\(candidate)", "name": "Ada Lovelace", "email": "\(candidate)@candidates.example", "timeZone": "Europe/London"},
         "interviewers": [{"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "Europe/London"\(caps)},
                          {"name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"\(caps)}],
         "durationMinutes": 60, "window": {"start": "\(window.0)", "end": "\(window.1)"}, "ranking": "earliest"}
        """
    }

    /// Pairs of one interviewer's reservations that overlap.
    static func overlaps(_ reservations: [TimeReservation]) -> [(TimeReservation, TimeReservation)] {
        var pairs: [(TimeReservation, TimeReservation)] = []
        for (index, first) in reservations.enumerated() {
            for second in reservations[(index + 1)...] where first.interviewer == second.interviewer && first.interval.overlaps(second.interval) {
                pairs.append((first, second))
            }
        }
        return pairs
    }

    @Test func fiftySagasForOnePanelGetFiftyDistinctSlots() async throws {
        let fixture = try InterviewSagaFixture()
        let ids = (0..<50).map { "req-\($0)" }
        // Ten sagas read the calendars before any of them claims: without the ledger they
        // would all choose the same first hour.
        fixture.provider.barrier.withLock { $0.remaining = 10 }
        try await fixture.burst(ids, request: Self.panel(candidate: "cand-burst"))
        var slots: [String] = []
        for id in ids {
            let instance = try #require(try await fixture.sagas.instance(id: id))
            #expect(instance.status == .completed, "\(id): \(instance.lastError?.description ?? "")")
            slots += [instance.data["slot"]?["start"]?.stringValue ?? "none"]
        }
        #expect(Set(slots).count == 50, "every saga has its own slot")
        let reservations = try await fixture.reservations()
        #expect(reservations.count == 100 && reservations.allSatisfy { $0.kind == .booked })
        #expect(Self.overlaps(reservations).isEmpty)
        for interviewer in ["grace@example.com", "alan@example.com"] {
            let live = try fixture.local.events(of: interviewer).filter { !$0.cancelled }.map { Interval(start: $0.event.start, end: $0.event.end) }
            #expect(live.count == 50)
            let sorted = live.sorted { $0.start < $1.start }
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.end <= $1.start }, "\(interviewer)'s calendar has no two events at once")
        }
    }

    /// Twelve sagas where only eight one-hour slots exist: eight book, four fail with an
    /// explanation that names the interviews holding the time; nothing is left held.
    @Test func whenTheWindowIsFullTheRestFailNamingTheLedger() async throws {
        let fixture = try InterviewSagaFixture()
        let ids = (0..<12).map { "req-\($0)" }
        try await fixture.burst(ids, request: Self.panel(candidate: "cand-full", window: ("2026-11-24T09:00:00Z", "2026-11-24T17:00:00Z")))
        var completed = 0
        for id in ids {
            let instance = try #require(try await fixture.sagas.instance(id: id))
            if instance.status == .completed {
                completed += 1
            } else {
                #expect(instance.status == .compensated)
                let message = instance.lastError?.message ?? ""
                #expect(message.hasPrefix("no slot fits everyone"), "\(message)")
                #expect(message.contains("grace@example.com has 8 interview(s) in the window ("), "\(message)")
                #expect(message.contains(" by interview iv-req-"), "the explanation names the interviews: \(message)")
            }
        }
        #expect(completed == 8)
        let reservations = try await fixture.reservations()
        #expect(reservations.count == 16 && reservations.allSatisfy { $0.kind == .booked }, "no hold outlives a failed saga")
        #expect(Self.overlaps(reservations).isEmpty)
        #expect(try await fixture.sagas.read { db in try SQLiteInterviewerTimeLedger().orphanedHolds(in: db) } == 0)
    }

    @Test func aDailyCapHoldsUnderConcurrency() async throws {
        let fixture = try InterviewSagaFixture()
        let ids = (0..<50).map { "req-\($0)" }
        fixture.provider.barrier.withLock { $0.remaining = 10 }
        try await fixture.burst(ids, request: Self.panel(candidate: "cand-capped", caps: #", "maxInterviewsPerDay": 2"#))
        let reservations = try await fixture.reservations()
        let london = try #require(TimeZone(identifier: "Europe/London"))
        for interviewer in ["grace@example.com", "alan@example.com"] {
            let perDay = Dictionary(grouping: reservations.filter { $0.interviewer == interviewer }) { london.localDateTime(at: $0.slotStart).date }
            #expect(perDay.values.allSatisfy { $0.count <= 2 }, "\(interviewer): \(perDay.mapValues(\.count))")
        }
        // Fourteen working days of two: twenty-eight book, twenty-two say why not.
        var failures: [String] = []
        for id in ids {
            let instance = try #require(try await fixture.sagas.instance(id: id))
            if instance.status != .completed { failures.append(instance.lastError?.message ?? "") }
        }
        #expect(reservations.count == 56 && failures.count == 22, "\(reservations.count) reservations, \(failures.count) failures")
        #expect(failures.allSatisfy { $0.contains("dailyCapReached: ") && $0.contains(" has 2 on 2026-") }, "\(failures.first ?? "")")
    }

    /// A minimum gap keeps two interviews of one interviewer apart by at least that long.
    @Test func aMinimumGapSeparatesInterviews() async throws {
        let fixture = try InterviewSagaFixture()
        let ids = (0..<6).map { "req-\($0)" }
        try await fixture.burst(ids, request: Self.panel(candidate: "cand-gap", caps: #", "minimumGapMinutes": 30"#))
        let grace = try await fixture.reservations().filter { $0.interviewer == "grace@example.com" }.sorted { $0.interval.start < $1.interval.start }
        #expect(grace.count == 6)
        for (earlier, later) in zip(grace, grace.dropFirst()) {
            #expect(later.interval.start - earlier.interval.end >= .seconds(1800), "\(earlier.interval) then \(later.interval)")
        }
    }

    /// A request that found no slot succeeds once a confirmed interview is cancelled.
    @Test func aCancelFreesTheTimeForTheNextRequest() async throws {
        let fixture = try InterviewSagaFixture()
        let oneHour = ("2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z")
        try await fixture.burst(["req-first"], request: Self.panel(candidate: "cand-a", window: oneHour))
        try await fixture.burst(["req-second"], request: Self.panel(candidate: "cand-b", window: oneHour))
        #expect(try await fixture.sagas.instance(id: "req-second")?.status == .compensated, "the only hour is taken")

        let booking = try #require(try await fixture.sagas.instance(id: "req-first")).data.decoded(as: SchedulingSagaData.self)
        try await fixture.engine.start(
            type: InterviewSagaKind.cancellation.rawValue, id: InterviewIDs.cancellation(ofRequest: "req-first"), partitionKey: "cand-a",
            data: try SagaData(encoding: CancellationSagaData(booking: booking, reason: .candidateNoShow, by: "recruiter@example.com")))
        _ = try await fixture.settle(InterviewIDs.cancellation(ofRequest: "req-first"))
        #expect(try await fixture.reservations().isEmpty, "the cancelled interview's time is free")

        try await fixture.burst(["req-third"], request: Self.panel(candidate: "cand-c", window: oneHour))
        #expect(try await fixture.sagas.instance(id: "req-third")?.status == .completed)
    }

    /// A reschedule into time another interview holds is refused, and the interview keeps its
    /// time; into free time, the old time is released in the same transaction that books the new.
    @Test func aRescheduleCannotTakeAnotherInterviewsTime() async throws {
        let fixture = try InterviewSagaFixture()
        let ten = ("2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"), eleven = ("2026-11-24T11:00:00Z", "2026-11-24T12:00:00Z")
        try await fixture.burst(["req-a"], request: Self.panel(candidate: "cand-a", window: ten))
        try await fixture.burst(["req-b"], request: Self.panel(candidate: "cand-b", window: eleven))
        let interview = try #require(try await fixture.interview(requestID: "req-a"))

        func reschedule(_ id: String, into window: (String, String)) async throws -> SagaInstance? {
            var request = try #require(try await fixture.sagas.instance(id: "req-a")).data.decoded(as: SchedulingSagaData.self).request
            request.window = .init(start: window.0, end: window.1)
            let current = try #require(try await fixture.interview(requestID: "req-a"))
            try await fixture.engine.start(
                type: InterviewSagaKind.rescheduling.rawValue, id: id, partitionKey: interview.id,
                data: try SagaData(encoding: ReschedulingSagaData(interview: current, request: request)))
            return try await fixture.settle(id)
        }
        let refused = try await reschedule("req-a:reschedule:1", into: eleven)
        #expect(refused?.status == .compensated)
        #expect(refused?.lastError?.message.contains("by interview iv-req-b") == true, "\(refused?.lastError?.message ?? "")")
        #expect(try await fixture.interview(requestID: "req-a")?.slot == interview.slot, "the interview keeps its time")

        let moved = try await reschedule("req-a:reschedule:2", into: ("2026-11-24T13:00:00Z", "2026-11-24T14:00:00Z"))
        #expect(moved?.status == .completed, "\(moved?.lastError?.description ?? "")")
        let grace = try await fixture.reservations().filter { $0.interviewer == "grace@example.com" }.map { ISO8601.format($0.slotStart) }.sorted()
        #expect(grace == ["2026-11-24T11:00:00Z", "2026-11-24T13:00:00Z"], "10:00 was released when 13:00 was booked")
    }

    /// A meeting made outside the service takes the held slot between the choice and the
    /// booking: the booking step sees it, moves the hold to the next slot and books that.
    @Test func aSlotTakenOutsideTheServiceBeforeBookingIsChosenAgain() async throws {
        let fixture = try InterviewSagaFixture()
        let nine = Interval(start: try #require(ISO8601.instant("2026-11-24T09:00:00Z")), end: try #require(ISO8601.instant("2026-11-24T10:00:00Z")))
        // The meeting is on Grace's calendar for every read made once the saga holds its slot.
        let sagas = fixture.sagas
        fixture.provider.lateBusy.withLock {
            $0 = (
                { (try? await sagas.read { db in try SQLiteInterviewerTimeLedger().reservations(of: "req-moved", in: db) })?.isEmpty == false },
                ["grace@example.com": [nine]]
            )
        }
        try await fixture.burst(["req-moved"], request: Self.panel(candidate: "cand-moved"))
        let instance = try #require(try await fixture.sagas.instance(id: "req-moved"))
        #expect(instance.status == .completed, "\(instance.lastError?.description ?? "")")
        #expect(instance.data["slot"]?["start"]?.stringValue == "2026-11-24T10:00:00Z")
        #expect(try fixture.local.events(of: "grace@example.com").map { ISO8601.format($0.event.start) } == ["2026-11-24T10:00:00Z"])
        #expect(try await fixture.reservations().map { ISO8601.format($0.slotStart) } == ["2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z"])
        #expect(
            try await fixture.interview(requestID: "req-moved")?.slot.start == ISO8601.instant("2026-11-24T10:00:00Z"),
            "the invitation has the moved time")
    }

    /// An operator's abort from the command line (another process, a store opened the way
    /// `scheduler sagas` opens it) releases what the saga held, in the abort's transaction;
    /// and holds left by a tool that did not, are released at start-up.
    @Test func anAbortFromTheCommandLineReleasesTheHold() async throws {
        let fixture = try InterviewSagaFixture()
        try await fixture.burst(["req-a"], request: Self.panel(candidate: "cand-a"))
        let interview = try #require(try await fixture.interview(requestID: "req-a"))
        let data = ReschedulingSagaData(
            interview: interview,
            request: try #require(try await fixture.sagas.instance(id: "req-a")).data.decoded(as: SchedulingSagaData.self).request)
        try await fixture.engine.start(
            type: InterviewSagaKind.rescheduling.rawValue, id: "req-a:reschedule:1", partitionKey: interview.id, data: try SagaData(encoding: data))
        let later = Interval(start: interview.slot.start + .seconds(86_400), end: interview.slot.end + .seconds(86_400))
        let ledger = SQLiteInterviewerTimeLedger()
        let claims = ["grace@example.com", "alan@example.com"].map { TimeClaim(interviewer: $0, interval: later, slotStart: later.start) }
        #expect(
            try await fixture.sagas.write { db in try ledger.hold(claims, for: .init(sagaID: "req-a:reschedule:1", interviewID: interview.id), in: db)
            }.isEmpty)

        let operatorStore = try ServiceDatabase.openExisting(path: fixture.directory.path("sagas.sqlite"))
        let catalog = try SagaCatalog.load(directory: BuiltProducts.repositoryRoot.appendingPathComponent("sagas"), handlers: .namesUnchecked)
        let aborted = try await SagaEngine(store: operatorStore, catalog: catalog, handlers: SQLiteSagaHandlers()).abort(
            id: "req-a:reschedule:1", by: "ops", reason: "test")
        #expect(aborted.status == .compensated)
        #expect(try await fixture.reservations().filter { $0.kind == .held }.isEmpty, "the abort released the hold")
        #expect(
            try await fixture.reservations().map { ISO8601.format($0.slotStart) } == Array(repeating: ISO8601.format(interview.slot.start), count: 2))

        // A hold whose saga ended without the settlement (written around it): repaired at start-up.
        #expect(
            try await fixture.sagas.write { db in try ledger.hold(claims, for: .init(sagaID: "req-a:reschedule:1", interviewID: interview.id), in: db)
            }.isEmpty)
        #expect(try await fixture.sagas.read { db in try ledger.orphanedHolds(in: db) } == 2)
        #expect(try await fixture.sagas.write { db in try SagaSettlement.repair(in: db) } == 1)
        #expect(try await fixture.sagas.read { db in try ledger.orphanedHolds(in: db) } == 0)
    }

    /// The database itself refuses two overlapping reservations of one interviewer for
    /// different interviews, whatever code writes them.
    @Test func theDatabaseRefusesAnOverlapWrittenAroundTheLedger() async throws {
        let fixture = try InterviewSagaFixture()
        let ledger = SQLiteInterviewerTimeLedger()
        let hour = Interval(start: Instant(secondsSinceEpoch: 1_795_600_000), end: Instant(secondsSinceEpoch: 1_795_603_600))
        let claim = TimeClaim(interviewer: "Grace@Example.com", interval: hour, slotStart: hour.start)
        let conflicts = try await fixture.sagas.write { db in try ledger.hold([claim], for: .init(sagaID: "s-1", interviewID: "iv-1"), in: db) }
        #expect(conflicts.isEmpty)
        let second = try await fixture.sagas.write { db in try ledger.hold([claim], for: .init(sagaID: "s-2", interviewID: "iv-2"), in: db) }
        #expect(second.map(\.interviewID) == ["iv-1"], "the port reports the conflict")
        await #expect(throws: (any Error).self) {
            try await fixture.sagas.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO interviewer_reservation (interviewer, start, "end", slot_start, saga_id, interview_id, kind, created_at)
                        VALUES ('grace@example.com', ?, ?, ?, 's-3', 'iv-3', 'held', 0)
                        """, arguments: [hour.start.secondsSinceEpoch + 1800, hour.end.secondsSinceEpoch + 1800, hour.start.secondsSinceEpoch])
            }
        }
    }
}
