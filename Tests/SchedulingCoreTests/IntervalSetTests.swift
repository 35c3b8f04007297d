import SchedulingCore
import Testing

@Suite("IntervalSet algebra")
struct IntervalSetTests {
    let nine = "2026-03-09T09:00:00Z", ten = "2026-03-09T10:00:00Z", eleven = "2026-03-09T11:00:00Z"
    let noon = "2026-03-09T12:00:00Z", one = "2026-03-09T13:00:00Z"

    @Test func normalisationSortsMergesOverlapsAndTouchingAndDropsEmpty() {
        let set = IntervalSet([
            interval(eleven, noon), interval(nine, ten), interval(ten, eleven),
            interval(one, one), interval("2026-03-09T09:30:00Z", "2026-03-09T09:45:00Z"),
        ])
        #expect(set.intervals == [interval(nine, noon)])
    }

    @Test func gapsStaySeparate() {
        let set = IntervalSet([interval(nine, ten), interval(eleven, noon)])
        #expect(set.intervals.count == 2)
        #expect(set.totalDuration == .seconds(7200))
    }

    @Test func unionMergesAcrossSets() {
        let a = IntervalSet([interval(nine, ten), interval(noon, one)])
        let b = IntervalSet([interval(ten, eleven)])
        #expect(a.union(b).intervals == [interval(nine, eleven), interval(noon, one)])
    }

    @Test func intersectionKeepsOnlySharedTime() {
        let a = IntervalSet([interval(nine, eleven), interval(noon, one)])
        let b = IntervalSet([interval(ten, "2026-03-09T12:30:00Z")])
        #expect(a.intersection(b).intervals == [interval(ten, eleven), interval(noon, "2026-03-09T12:30:00Z")])
    }

    @Test func touchingIntervalsDoNotIntersect() {
        let a = IntervalSet(interval(nine, ten)), b = IntervalSet(interval(ten, eleven))
        #expect(a.intersection(b).isEmpty)
    }

    @Test func subtractionCutsHolesAndEdges() {
        let working = IntervalSet(interval(nine, one))
        let busy = IntervalSet([
            interval("2026-03-09T08:00:00Z", "2026-03-09T09:30:00Z"), interval(ten, eleven), interval(noon, "2026-03-09T14:00:00Z"),
        ])
        #expect(working.subtracting(busy).intervals == [interval("2026-03-09T09:30:00Z", ten), interval(eleven, noon)])
    }

    @Test func subtractingEverythingLeavesNothing() {
        let working = IntervalSet([interval(nine, ten), interval(eleven, noon)])
        #expect(working.subtracting(IntervalSet(interval(nine, one))).isEmpty)
        #expect(working.subtracting(.empty) == working)
    }

    @Test func containsIsHalfOpen() {
        let set = IntervalSet([interval(nine, ten), interval(eleven, noon)])
        #expect(set.contains(interval(nine, ten)))
        #expect(set.contains(interval("2026-03-09T11:15:00Z", noon)))
        #expect(!set.contains(interval("2026-03-09T09:30:00Z", "2026-03-09T10:30:00Z")))
        #expect(!set.contains(interval(ten, eleven)))
    }

    @Test func firstOverlapFindsTheConflictAndIgnoresTouching() {
        let busy = IntervalSet([interval(nine, ten), interval(eleven, noon)])
        #expect(busy.firstOverlap(with: interval(ten, eleven)) == nil)
        #expect(busy.firstOverlap(with: interval("2026-03-09T10:30:00Z", "2026-03-09T11:30:00Z")) == interval(eleven, noon))
        #expect(busy.firstOverlap(with: interval("2026-03-09T08:00:00Z", "2026-03-09T09:01:00Z")) == interval(nine, ten))
        #expect(busy.firstOverlap(with: interval(one, "2026-03-09T14:00:00Z")) == nil)
    }

    @Test("algebra agrees with a per-minute model", arguments: 0..<25)
    func algebraMatchesMinuteModel(seed: Int) {
        var random = SeededGeneratorForTests(seed: UInt64(seed))
        let origin = Instant(secondsSinceEpoch: 1_772_000_000 / 60 * 60)
        func randomSet() -> (IntervalSet, Set<Int>) {
            var minutes = Set<Int>()
            let intervals = (0..<random.int(1...12)).map { _ -> Interval in
                let start = random.int(0...300), length = random.int(0...40)
                minutes.formUnion(start..<(start + length))
                return Interval(start: origin + .seconds(Int64(start) * 60), duration: .seconds(Int64(length) * 60))
            }
            return (IntervalSet(intervals), minutes)
        }
        func minutes(of set: IntervalSet) -> Set<Int> {
            Set(set.intervals.flatMap { Int(($0.start - origin).minutes)..<Int(($0.end - origin).minutes) })
        }
        let (a, ma) = randomSet(), (b, mb) = randomSet()
        #expect(minutes(of: a.union(b)) == ma.union(mb))
        #expect(minutes(of: a.intersection(b)) == ma.intersection(mb))
        #expect(minutes(of: a.subtracting(b)) == ma.subtracting(mb))
        for pair in zip(a.intervals, a.intervals.dropFirst()) {
            #expect(pair.0.end < pair.1.start, "normalised intervals neither overlap nor touch")
        }
    }
}
