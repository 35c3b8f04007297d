import Foundation
import SchedulingCore
import Testing

/// The precomputed timeline must give exactly the offsets the system's zone gives.
@Suite("ZoneTimeline")
struct ZoneTimelineTests {
    static let zones = [
        "America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kathmandu",
        "Pacific/Chatham", "Pacific/Apia", "Africa/Casablanca", "America/Santiago", "Asia/Tehran", "UTC",
    ]

    @Test("agrees with TimeZone every 7 minutes over a year", arguments: zones)
    func agreesWithTimeZone(_ name: String) {
        let tz = zone(name)
        let year = interval("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")
        let timeline = ZoneTimeline(zone: tz, covering: year)
        var seconds = year.start.secondsSinceEpoch - 3 * 86_400  // also outside the covered stretch
        var mismatches = 0
        while seconds < year.end.secondsSinceEpoch + 3 * 86_400 {
            if timeline.utcOffset(atSecondsSinceEpoch: seconds) != tz.utcOffset(atSecondsSinceEpoch: seconds) { mismatches += 1 }
            seconds += 7 * 60
        }
        #expect(mismatches == 0)
    }

    /// Timelines are shared between lookups over the same days: each zone keeps its own, and
    /// a window that starts or ends mid-day is still covered two days either side.
    @Test func sharedTimelinesKeepZonesAndMarginsApart() {
        let window = interval("2026-03-27T13:30:00Z", "2026-03-28T09:15:00Z")
        let zones = Self.zones.map { zone($0) }
        for _ in 0..<2 {
            for tz in zones {
                let timeline = ZoneTimeline(zone: tz, covering: window)
                var seconds = window.start.secondsSinceEpoch - 2 * 86_400
                while seconds <= window.end.secondsSinceEpoch + 2 * 86_400 {
                    #expect(timeline.utcOffset(atSecondsSinceEpoch: seconds) == tz.utcOffset(atSecondsSinceEpoch: seconds), "\(tz.identifier)")
                    seconds += 3_599
                }
            }
        }
    }

    @Test func seesApiasSkippedDay() {
        let apia = zone("Pacific/Apia")
        let timeline = ZoneTimeline(zone: apia, covering: interval("2011-12-29T00:00:00Z", "2012-01-01T00:00:00Z"))
        #expect(timeline.utcOffset(at: instant("2011-12-30T09:59:59Z")) == -10 * 3600)
        #expect(timeline.utcOffset(at: instant("2011-12-30T10:00:00Z")) == 14 * 3600)
        #expect(timeline.instant(for: localDateTime("2011-12-30T12:00")) == instant("2011-12-30T22:00:00Z"))
    }

    @Test func resolvesLikeTheZoneAcrossTransitions() {
        for example in TimeZoneResolutionTests.cases {
            let tz = zone(example.zone)
            let expected = instant(example.expected)
            let timeline = ZoneTimeline(zone: tz, covering: Interval(start: expected - .seconds(86_400), duration: .seconds(2 * 86_400)))
            #expect(timeline.instant(for: localDateTime(example.local)) == expected, "\(example.testDescription)")
        }
    }
}
