import Foundation
import Testing

@testable import SchedulingCore

/// Grid starts next to every zone's offset transitions: on the zone's wall-clock grid, and
/// none skipped, for steps of 15, 30 and 60 minutes.
@Suite("Slot grid across offset transitions")
struct SlotGridTransitionTests {
    static let years = Interval(start: instant("2025-01-01T00:00:00Z"), end: instant("2030-01-01T00:00:00Z"))

    /// Australia/Lord_Howe moves 30 minutes: 02:00 (+10:30) becomes 02:30 (+11:00).
    @Test func aHalfHourShiftDoesNotPutAnHourlyStartOffTheGrid() throws {
        let zone = try #require(TimeZone(identifier: "Australia/Lord_Howe"))
        let grid = try #require(SlotGrid(step: .seconds(3600), zone: zone))
        #expect(grid.firstStart(atOrAfter: instant("2027-10-02T15:00:00Z")) == instant("2027-10-02T16:00:00Z"), "03:00 local, not 02:30")
        #expect(grid.firstStart(atOrAfter: instant("2027-10-02T14:31:00Z")) == instant("2027-10-02T16:00:00Z"))
        #expect(grid.firstStart(atOrAfter: instant("2027-10-02T14:30:00Z")) == instant("2027-10-02T14:30:00Z"), "01:00 local")
        // Back again in April: 02:00 (+11:00) becomes 01:30 (+10:30); 02:00 local comes 30 minutes later.
        #expect(grid.firstStart(atOrAfter: instant("2027-04-03T14:30:00Z")) == instant("2027-04-03T15:30:00Z"))
    }

    @Test(arguments: [15, 30, 60])
    func everyStartNextToEveryTransitionIsOnTheGridAndNoneIsSkipped(stepMinutes: Int) throws {
        let step = Int64(stepMinutes * 60)
        var checked = 0
        for identifier in TimeZone.knownTimeZoneIdentifiers {
            let zone = try #require(TimeZone(identifier: identifier))
            let offsets = ZoneTimeline(zone: zone, covering: Self.years)
            let grid = try #require(SlotGrid(step: .seconds(step), zone: zone))
            for transition in Self.transitions(of: zone) {
                // Instants off any grid (7-minute strides) from a step and a half before to after.
                for from in stride(from: transition - step * 3 / 2, through: transition + step * 3 / 2, by: 7 * 60) {
                    let start = grid.firstStart(atOrAfter: Instant(secondsSinceEpoch: from), offsets: offsets).secondsSinceEpoch
                    let onGrid = { (second: Int64) in (second + offsets.utcOffset(atSecondsSinceEpoch: second)).isMultiple(of: step) }
                    #expect(start >= from && onGrid(start), "\(identifier) step \(stepMinutes) from \(from): \(start) is off the grid")
                    let skipped = stride(from: from, to: start, by: 60).first(where: onGrid)
                    #expect(skipped == nil, "\(identifier) step \(stepMinutes) from \(from): \(skipped ?? 0) comes before \(start)")
                    checked += 1
                }
            }
        }
        #expect(checked > 10_000, "the zones' transitions were found: \(checked)")
    }

    static func transitions(of zone: TimeZone) -> [Int64] {
        var found: [Int64] = []
        var cursor = Date(timeIntervalSince1970: TimeInterval(years.start.secondsSinceEpoch))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < TimeInterval(years.end.secondsSinceEpoch)
        {
            found.append(Int64(next.timeIntervalSince1970.rounded(.down)))
            cursor = next
        }
        return found
    }
}
