import Foundation
import ICalendar
import SchedulerTesting
import SchedulingCore
import Testing

/// The sample feeds in ical-samples/feeds, read over the week of 9 March 2026.
@Suite("Sample feeds")
struct SampleFeedTests {
    func busy(_ name: String) throws -> [String] {
        let url = BuiltProducts.repositoryRoot.appendingPathComponent("ical-samples/feeds/\(name)")
        let window = Interval(start: Instant(secondsSinceEpoch: 1_773_014_400), end: Instant(secondsSinceEpoch: 1_773_619_200))  // 9–16 March 2026
        return try BusyTimeReader(ownerZone: IANATimeZone.named("America/New_York") ?? .current)
            .busyTime(in: ICalendarDocument(bytes: Array(Data(contentsOf: url))), window: window).intervals.map { "\($0.start)/\($0.end)" }
    }

    @Test func graceHasStandUpsReviewsAndAConference() throws {
        let intervals = try busy("grace.ics")
        #expect(intervals.filter { $0.contains("T13:30:00Z/") }.count == 5, "stand-ups at 09:30 EDT = 13:30Z")
        #expect(!intervals.contains("2026-03-10T18:00:00Z/2026-03-10T19:00:00Z"), "the review on the 10th is excluded")
        #expect(intervals.contains("2026-03-12T04:00:00Z/2026-03-14T04:00:00Z"), "the all-day conference, in her zone")
        #expect(!intervals.contains { $0.hasPrefix("2026-03-09T17:00:00Z") }, "focus time is transparent")
    }

    @Test func alanWritesAWindowsZoneAndMovedOneInstance() throws {
        let intervals = try busy("alan.ics")
        #expect(intervals == ["2026-03-09T15:00:00Z/2026-03-09T16:00:00Z", "2026-03-11T11:00:00Z/2026-03-11T12:00:00Z"])
    }

    @Test func ramanPublishesFreeBusyOnly() throws {
        #expect(
            try busy("raman.ics") == [
                "2026-03-09T04:30:00Z/2026-03-09T06:30:00Z", "2026-03-10T08:30:00Z/2026-03-10T09:30:00Z", "2026-03-11T05:00:00Z/2026-03-11T06:00:00Z",
            ])
    }
}
