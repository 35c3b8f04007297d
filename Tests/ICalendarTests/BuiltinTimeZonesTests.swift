import CLibical
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
        let listedBefore = BuiltinTimeZones.listedLocations().contains(name)
        #expect(!listedBefore)
        let intervals = try Self.readFeed(deprecated: name)
        #expect(intervals.count == 3, "the New York EXDATE removes one of four; 09:00 in Adak is another instant")
        let listedAfter = BuiltinTimeZones.listedLocations().contains(name)
        #expect(!listedAfter, "reading the feed had libical add \(name) to its table")
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

    @Test func aBurstOfFirstUsesFindsTheTableFull() async {
        // libical fills its table on first use, so this runs in a process of its own, which
        // empties the table and sends 32 threads at it, ten microseconds apart, 80 times:
        // the first of them fills the table while the others read feeds and write invitations.
        await #expect(processExitsWith: .success) {
            for _ in 0..<80 {
                icaltimezone_free_builtin_timezones()
                if !BuiltinTimeZonesTests.burst(threads: 32) { exit(3) }
            }
        }
    }

    /// Runs feed reads and invitation renders on `threads` threads at once; false if any failed.
    /// The threads wait (without spinning: the rest of the suite shares the cores) until all
    /// are started, then go ten microseconds apart.
    static func burst(threads: Int) -> Bool {
        let gate = NSCondition()
        let open = Atomic<Bool>(false)
        let failures = Atomic<Int>(0)
        let finished = DispatchGroup()
        for index in 0..<threads {
            finished.enter()
            Thread.detachNewThread {
                gate.withLock {
                    while !open.load(ordering: .relaxed) { gate.wait() }
                }
                usleep(useconds_t(index * 10))
                do {
                    for _ in 0..<4 {
                        if index.isMultiple(of: 2) {
                            let intervals = try readFeed(deprecated: index.isMultiple(of: 4) ? "US/Eastern" : "America/New_York")
                            // US/Eastern is New York under its old name: two of four removed either way.
                            if intervals.count != 2 { failures.add(1, ordering: .relaxed) }
                        } else {
                            let zone = index.isMultiple(of: 3) ? "US/Central" : "Europe/London"
                            if !(try renderInvitation(in: zone)).contains("\r\nTZID:\(zone)\r\n") { failures.add(1, ordering: .relaxed) }
                        }
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
                finished.leave()
            }
        }
        gate.withLock {
            open.store(true, ordering: .relaxed)
            gate.broadcast()
        }
        finished.wait()
        return failures.load(ordering: .relaxed) == 0
    }
}
