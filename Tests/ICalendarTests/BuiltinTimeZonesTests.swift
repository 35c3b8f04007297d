import Foundation
import ICalendar
import SchedulingCore
import Synchronization
import Testing

/// libical's process-wide zone table, filled lazily and unlocked in 3.0, reached from many
/// threads at once: the availability responder crashed there under a burst of first requests.
@Suite("libical's built-in zones under concurrency")
struct BuiltinTimeZonesTests {
    /// A feed whose times name zones only by TZID, with no VTIMEZONE: the case where libical's
    /// own getters would consult its table. `deprecated` is a name zone.tab does not list.
    static func feed(deprecated: String) -> String {
        """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//test//EN\r
        BEGIN:VEVENT\r
        UID:weekly@test\r
        DTSTAMP:20260101T000000Z\r
        DTSTART;TZID=America/New_York:20260302T090000\r
        DTEND;TZID=America/New_York:20260302T100000\r
        RRULE:FREQ=WEEKLY;COUNT=4\r
        EXDATE;TZID=\(deprecated):20260309T090000\r
        EXDATE;TZID=America/New_York:20260316T090000\r
        END:VEVENT\r
        END:VCALENDAR\r

        """
    }

    static let march = Interval(
        start: ISO8601.instant("2026-03-01T00:00:00Z") ?? Instant(secondsSinceEpoch: 0),
        end: ISO8601.instant("2026-04-01T00:00:00Z") ?? Instant(secondsSinceEpoch: 0))

    static func readFeed(deprecated: String) throws -> [Interval] {
        let reader = BusyTimeReader(ownerZone: IANATimeZone.named("UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current)
        return try reader.busyTime(in: ICalendarDocument(text: feed(deprecated: deprecated)), window: march).intervals
    }

    static func renderInvitation(in zone: String) throws -> String {
        try Invitation(
            method: .request, uid: "burst@test", sequence: 0, stamp: march.start, start: march.start + .seconds(3600),
            end: march.start + .seconds(7200), timeZone: zone, organizer: .init(email: "o@example.com", name: "O"),
            attendees: [.init(email: "a@example.com", name: "A")], summary: "s", description: "", location: "", url: nil
        ).render()
    }

    @Test func readingAFeedNeverMakesLibicalLookUpItsZones() throws {
        // US/Aleutian has a zoneinfo file but no zone.tab line: libical's lookup would append
        // it to the shared table, unlocked. Reading a feed must resolve TZIDs itself.
        let name = "US/Aleutian"
        #expect(!BuiltinTimeZones.listedLocations().contains(name))
        let intervals = try Self.readFeed(deprecated: name)
        #expect(intervals.count == 3, "the EXDATE in New York time removes one of four")
        #expect(!BuiltinTimeZones.listedLocations().contains(name))
    }

    @Test func manyThreadsLookUpZonesAtOnce() async throws {
        // Names zone.tab lists and names it does not (appended on first lookup), from 32 threads.
        let names = ["Europe/Berlin", "Asia/Kolkata", "US/Pacific", "Canada/Yukon", "Asia/Calcutta", "Etc/GMT+7", "America/New_York", "UTC"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let name = names[index % names.count]
                    let text = try Self.renderInvitation(in: name)
                    #expect(name == "UTC" || text.contains("\r\nTZID:\(name)\r\n"), "\(name)")
                }
            }
            try await group.waitForAll()
        }
        #expect(BuiltinTimeZones.listedLocations().isSuperset(of: ["Canada/Yukon", "Asia/Calcutta", "Etc/GMT+7"]))
    }

    @Test func aFreshProcessSurvivesABurstOfFirstUses() async {
        // libical fills its table on first use, so only a new process can show this race; each
        // child starts 48 threads a few microseconds apart, the first of them filling the table
        // while the others read feeds and write invitations.
        for _ in 0..<6 {
            await #expect(processExitsWith: .success) {
                let threads = 48
                let arrived = Atomic<Int>(0)
                let finished = DispatchGroup()
                let failures = Atomic<Int>(0)
                for index in 0..<threads {
                    finished.enter()
                    Thread.detachNewThread {
                        arrived.add(1, ordering: .relaxed)
                        while arrived.load(ordering: .relaxed) < threads {}
                        usleep(useconds_t(index * 5))
                        do {
                            if index.isMultiple(of: 2) {
                                _ = try BuiltinTimeZonesTests.readFeed(deprecated: index.isMultiple(of: 4) ? "US/Eastern" : "America/New_York")
                            } else {
                                _ = try BuiltinTimeZonesTests.renderInvitation(in: index.isMultiple(of: 3) ? "US/Central" : "Europe/London")
                            }
                        } catch {
                            failures.add(1, ordering: .relaxed)
                        }
                        finished.leave()
                    }
                }
                finished.wait()
                if failures.load(ordering: .relaxed) > 0 { exit(3) }
            }
        }
    }
}
