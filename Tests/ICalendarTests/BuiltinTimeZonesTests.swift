import Foundation
import ICalendar
import SchedulerTesting
import SchedulingCore
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

    /// tzdata's old names, which zone.tab does not list (tzdata-legacy on newer systems).
    static let legacyNamesInstalled = FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/US/Aleutian")

    @Test(.enabled(if: legacyNamesInstalled, "needs tzdata's old names"))
    func readingAFeedNeverMakesLibicalLookUpItsZones() throws {
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
        let legacy = ["US/Pacific", "Canada/Yukon", "Asia/Calcutta", "Etc/GMT+7"]
        let names = ["Europe/Berlin", "Asia/Kolkata", "America/New_York", "UTC"] + (Self.legacyNamesInstalled ? legacy : [])
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
        #expect(BuiltinTimeZones.listedLocations().isSuperset(of: names.filter(legacy.contains)))
    }

    @Test func aBurstOfFirstUsesFindsTheTableFull() async throws {
        // libical fills its table once per process, so the harness runs in a process of its
        // own: 80 times it empties the table and sends 32 threads at it (see its header).
        // (Not an exit test: Swift Testing's exit-test monitor thread spins on every other
        // child process of this one that has exited and not yet been reaped.) The Swift
        // runtime's backtracer is off there: with many threads crashing at once it hung
        // instead of ending the process.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let harness = try SpawnedProcess(
            executable: BuiltProducts.executable("LibicalBurstHarness"), arguments: ["80"], environment: environment,
            standardError: .inherit)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(300))
            harness.send(SIGKILL)
        }
        let termination = await harness.exit()
        watchdog.cancel()
        #expect(termination == .exited(0), "the harness \(termination)")
    }
}
