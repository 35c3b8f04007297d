import Foundation
import SchedulingCore
import Testing

@Suite("Slot finder")
struct SlotFinderTests {
    func person(
        _ id: String, _ zoneName: String, hours: [Weekday: [LocalTimeRange]]? = nil, busy: [Interval] = [], role: Participant.Role = .interviewer
    ) -> Participant {
        Participant(id: id, role: role, timeZone: zone(zoneName), workingHours: hours.map { WorkingHours(weekly: $0) }, busy: IntervalSet(busy))
    }

    func query(
        _ participants: [Participant], from: String, to: String, minutes: Int64 = 60, step: Int64 = 60,
        now: String? = nil, notice: Int64 = 0, before: Int64 = 0, after: Int64 = 0, ranking: SlotRanking = .earliest
    ) -> SlotQuery {
        SlotQuery(
            duration: .seconds(minutes * 60), window: interval(from, to), now: instant(now ?? from),
            minimumNotice: .seconds(notice * 60), bufferBefore: .seconds(before * 60), bufferAfter: .seconds(after * 60),
            grid: utcGrid(minutes: step), ranking: ranking, participants: participants)
    }

    func starts(_ query: SlotQuery) -> [String] {
        SlotFinder(query: query).search().slots.map(\.interval.start.description)
    }

    @Test func slotMayEndExactlyWhenABusyBlockStarts() {
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "12:00")), busy: [interval("2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z")])
        #expect(
            starts(query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z"))
                == ["2026-03-09T09:00:00Z", "2026-03-09T11:00:00Z"])
    }

    @Test func touchingBusyBlocksLeaveNoGap() {
        let alice = person(
            "alice", "UTC", hours: everyDay(range("09:00", "12:00")),
            busy: [
                interval("2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z"), interval("2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z"),
            ])
        #expect(starts(query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z")) == ["2026-03-09T11:00:00Z"])
    }

    @Test func usDaylightSavingWidensTheTransatlanticOverlap() {
        // Week of 2 March: New York on EST (UTC-5). Week of 9 March: EDT (UTC-4), London still GMT.
        let ny = person("ny", "America/New_York", hours: weekdays(range("09:00", "17:00")))
        let london = person("london", "Europe/London", hours: weekdays(range("09:00", "17:00")))
        #expect(
            starts(query([ny, london], from: "2026-03-02T00:00:00Z", to: "2026-03-03T00:00:00Z"))
                == ["2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"])
        #expect(
            starts(query([ny, london], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z"))
                == ["2026-03-09T13:00:00Z", "2026-03-09T14:00:00Z", "2026-03-09T15:00:00Z", "2026-03-09T16:00:00Z"])
    }

    @Test func buffersKeepDistanceFromOtherMeetings() {
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "13:00")), busy: [interval("2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z")])
        // 15 minutes after the earlier meeting, 30 before the next.
        #expect(
            starts(query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z", step: 15, before: 15, after: 30))
                == ["2026-03-09T11:15:00Z", "2026-03-09T11:30:00Z", "2026-03-09T11:45:00Z", "2026-03-09T12:00:00Z"])
    }

    @Test func minimumNoticeHoldsBackEarlySlots() {
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "13:00")))
        #expect(
            starts(query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z", now: "2026-03-09T08:30:00Z", notice: 120))
                == ["2026-03-09T11:00:00Z", "2026-03-09T12:00:00Z"])
    }

    @Test func alignmentFollowsTheStatedZone() {
        // 60-minute grid in Kathmandu (+05:45): slots start at :15 past the UTC hour.
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "12:00")))
        var q = query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z")
        q.grid = SlotGrid(step: .seconds(3600), zone: zone("Asia/Kathmandu"))!
        #expect(starts(q) == ["2026-03-09T09:15:00Z", "2026-03-09T10:15:00Z"])
    }

    @Test func preferredWindowsConfineTheSearch() {
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "17:00")))
        var q = query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z")
        q.preferredWindows = IntervalSet(interval("2026-03-09T14:30:00Z", "2026-03-09T16:30:00Z"))
        #expect(starts(q) == ["2026-03-09T15:00:00Z"])
    }

    @Test func participantWithoutWorkingHoursIsOnlyBoundByBusyTime() {
        let candidate = person("cand", "UTC", busy: [interval("2026-03-09T02:00:00Z", "2026-03-09T23:00:00Z")], role: .candidate)
        #expect(
            starts(query([candidate], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z"))
                == ["2026-03-09T00:00:00Z", "2026-03-09T01:00:00Z", "2026-03-09T23:00:00Z"])
    }

    @Test func nightShiftMeetsADayWorkerAcrossLocalMidnight() {
        let night = person("night", "America/Los_Angeles", hours: everyDay(range("22:00", "06:00")))
        let sydney = person("sydney", "Australia/Sydney", hours: everyDay(range("09:00", "17:00")))
        // 2026-07-15: LA is PDT (UTC-7), Sydney AEST (UTC+10). Night shift 05:00Z–13:00Z; Sydney 23:00Z–07:00Z.
        #expect(
            starts(query([night, sydney], from: "2026-07-15T00:00:00Z", to: "2026-07-16T00:00:00Z"))
                == ["2026-07-15T05:00:00Z", "2026-07-15T06:00:00Z"])
    }

    @Test func humaneRankingPrefersMiddayForEveryone() {
        let alice = person("alice", "UTC", hours: everyDay(range("08:00", "16:00")))
        let bob = person("bob", "Europe/Berlin", hours: everyDay(range("09:00", "17:00")))  // CET: 08:00Z–16:00Z in March
        let slots = SlotFinder(query: query([alice, bob], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z", step: 30, ranking: .humane))
            .search().slots
        #expect(slots.first?.interval.start == instant("2026-03-09T11:30:00Z"))
        #expect(slots.first?.humaneScore == 0)
        #expect(slots.dropFirst().first?.humaneScore == 0.125)
        // 08:00 and 15:00 are equally far from midday; the earlier ranks first.
        #expect(slots.suffix(2).map(\.interval.start) == [instant("2026-03-09T08:00:00Z"), instant("2026-03-09T15:00:00Z")])
        #expect(slots.count == 15)
    }

    @Test func limitKeepsTheBestRanked() {
        let alice = person("alice", "UTC", hours: everyDay(range("08:00", "16:00")))
        var q = query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z", step: 30, ranking: .humane)
        q.limit = 2
        // 11:30 is centred on midday; 11:00 and 12:00 tie next and the earlier wins.
        #expect(starts(q) == ["2026-03-09T11:30:00Z", "2026-03-09T11:00:00Z"])
    }

    @Test func explanationNamesWhoBlocksAndWhy() throws {
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "10:00")))
        let bob = person("bob", "UTC", hours: everyDay(range("09:00", "17:00")), busy: [interval("2026-03-09T09:30:00Z", "2026-03-09T10:30:00Z")])
        let result = SlotFinder(query: query([alice, bob], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z", step: 30)).search()
        #expect(result.slots.isEmpty)
        let explanation = try #require(result.explanation)
        #expect(explanation.summary.contains("No 60-minute slot fits all 2 participants"))
        let best = try #require(explanation.nearMisses.first)
        #expect(best.slot == interval("2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z"))
        #expect(best.blockers == [.init(participantID: "bob", reason: .busy, conflict: interval("2026-03-09T09:30:00Z", "2026-03-09T10:30:00Z"))])
        #expect(explanation.nearMisses.allSatisfy { $0.blockers.count == 1 })
    }

    @Test func explanationReportsNoticeAsAGlobalBlocker() throws {
        let alice = person("alice", "UTC", hours: everyDay(range("09:00", "10:00")))
        let result = SlotFinder(
            query: query([alice], from: "2026-03-09T00:00:00Z", to: "2026-03-10T00:00:00Z", now: "2026-03-09T08:00:00Z", notice: 180)
        ).search()
        let best = try #require(result.explanation?.nearMisses.first)
        #expect(best.slot.start == instant("2026-03-09T09:00:00Z"))
        #expect(best.blockers.map(\.reason) == [.minimumNotice])
        #expect(best.blockers.first?.participantID == nil)
    }
}
