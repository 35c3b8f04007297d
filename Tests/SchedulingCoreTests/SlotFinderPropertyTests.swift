import SchedulerTesting
import SchedulingCore
import Testing

/// Random panels checked against the minute-by-minute oracle: every returned slot is
/// free for everybody, and no free grid slot is missed.
@Suite("Slot finder properties")
struct SlotFinderPropertyTests {
    /// Windows that straddle the 2026 DST changes of both hemispheres.
    static let windowStarts = [
        "2026-03-05T00:00:00Z", "2026-03-26T00:00:00Z", "2026-04-02T00:00:00Z", "2026-09-24T00:00:00Z", "2026-10-22T00:00:00Z",
    ]

    static func randomQuery(seed: Int) -> SlotQuery {
        var queries = RandomSlotQueries(seed: UInt64(seed))
        return queries.query(
            start: instant(windowStarts[seed % windowStarts.count]), days: 10,
            participants: 2 + seed % 4, busyPerParticipant: 10 + seed % 10 * 5, busyMinutes: 15...90,
            durationMinutes: [30, 45, 60][seed % 3], alignmentMinutes: [15, 30, 60][seed % 3],
            zones: RandomSlotQueries.zoneGroups[seed % RandomSlotQueries.zoneGroups.count])
    }

    @Test("matches the minute scan", arguments: 0..<60)
    func matchesMinuteScan(seed: Int) {
        let query = Self.randomQuery(seed: seed)
        let found = SlotFinder(query: query).search().slots.map(\.interval.start)
        let expected = MinuteScanSlotFinder.slotStarts(for: query)
        #expect(found == expected, "seed \(seed)")
    }

    @Test("the random panels are not vacuous: most have slots, some have none")
    func randomPanelsExerciseBothOutcomes() {
        let counts = (0..<60).map { MinuteScanSlotFinder.slotStarts(for: Self.randomQuery(seed: $0)).count }
        #expect(counts.filter { $0 > 0 }.count >= 30, "\(counts)")
        #expect(counts.contains(0), "\(counts)")
    }

    @Test("every slot is free for every participant", arguments: 0..<20)
    func everySlotIsFree(seed: Int) {
        var queries = RandomSlotQueries(seed: UInt64(1000 + seed))
        let query = queries.query(start: instant("2026-03-26T00:00:00Z"), days: 14, participants: 3, busyPerParticipant: 40)
        for slot in SlotFinder(query: query).search().slots {
            let buffered = slot.interval.widened(before: query.bufferBefore, after: query.bufferAfter)
            #expect(slot.interval.start >= query.now + query.minimumNotice)
            #expect(query.window.contains(slot.interval))
            for participant in query.participants {
                #expect(participant.busy.firstOverlap(with: buffered) == nil, "\(participant.id) busy at \(slot.interval)")
                let local = participant.timeZone.localDateTime(at: slot.interval.start)
                let ranges = [local.date, local.date.adding(days: -1)].flatMap { day in
                    (participant.workingHours?.ranges(on: day) ?? []).map { (day, $0) }
                }
                let inside = ranges.contains { day, range in
                    let end = range.end < range.start ? day.adding(days: 1) : day
                    let block = Interval(
                        start: participant.timeZone.instant(for: LocalDateTime(date: day, time: range.start)),
                        end: participant.timeZone.instant(for: LocalDateTime(date: end, time: range.end)))
                    return block.contains(slot.interval)
                }
                #expect(inside, "\(participant.id) not working at \(slot.interval)")
            }
        }
    }

    @Test("humane ranking reorders but never adds or drops", arguments: 0..<10)
    func humaneRankingIsAPermutation(seed: Int) {
        var earliest = RandomSlotQueries(seed: UInt64(2000 + seed))
        var query = earliest.query(start: instant("2026-10-22T00:00:00Z"), days: 10, participants: 3, busyPerParticipant: 20)
        let byTime = SlotFinder(query: query).search().slots.map(\.interval)
        query.ranking = .humane
        let ranked = SlotFinder(query: query).search().slots
        #expect(Set(ranked.map(\.interval)) == Set(byTime))
        let scores = ranked.compactMap(\.humaneScore)
        #expect(scores.count == ranked.count)
        #expect(scores == scores.sorted())
    }
}
