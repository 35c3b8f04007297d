// Sends bursts of threads at libical's built-in zone table while it is being filled: each
// round empties the table, then 32 threads, started ten microseconds apart, read feeds that
// name zones only by TZID and write invitations. A process of its own, because the table
// fills once per process and emptying it is safe only when nothing else uses libical.
// Exits 0 when every round gave the expected results, 3 when one did not; a race crashes it.
//
//     LibicalBurstHarness [rounds]

import CLibical
import Foundation
import ICalendar
import SchedulingCore
import Synchronization

let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 80
let threads = 32
// Old names (not in zone.tab) are the ones libical appends to its table; newer systems ship
// them in tzdata-legacy, and without them the current names stand in.
let legacyNames = FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/US/Eastern")
let newYorkAlias = legacyNames ? "US/Eastern" : "America/New_York"
let chicagoAlias = legacyNames ? "US/Central" : "America/Chicago"
// The threads inherit the lowest priority: a test run shares the cores with this process.
_ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)

let march = Interval(
    start: ISO8601.instant("2026-03-01T00:00:00Z") ?? Instant(secondsSinceEpoch: 0),
    end: ISO8601.instant("2026-04-01T00:00:00Z") ?? Instant(secondsSinceEpoch: 0))

/// Four weekly events in New York, two of them excluded, one by the zone's old name.
func busyIntervals(excludingIn zone: String) throws -> Int {
    let feed = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:weekly@test", "DTSTAMP:20260101T000000Z",
        "DTSTART;TZID=America/New_York:20260302T090000", "DTEND;TZID=America/New_York:20260302T100000", "RRULE:FREQ=WEEKLY;COUNT=4",
        "EXDATE;TZID=\(zone):20260309T090000", "EXDATE;TZID=America/New_York:20260316T090000", "END:VEVENT", "END:VCALENDAR", "",
    ].joined(separator: "\r\n")
    let reader = BusyTimeReader(ownerZone: TimeZone(secondsFromGMT: 0) ?? .current)
    return try reader.busyTime(in: ICalendarDocument(text: feed), window: march).intervals.count
}

func invitation(in zone: String) throws -> String {
    try Invitation(
        method: .request, uid: "burst@test", sequence: 0, stamp: march.start, start: march.start + .seconds(3600),
        end: march.start + .seconds(7200), timeZone: zone, organizer: .init(email: "o@example.com", name: "O"),
        attendees: [.init(email: "a@example.com", name: "A")], summary: "s", description: "", location: "", url: nil
    ).render()
}

/// One thread's work: true when it gave what it should.
func work(_ index: Int) -> Bool {
    do {
        for _ in 0..<4 {
            if index.isMultiple(of: 2) {
                // The alias is New York under its old name: two of four excluded either way.
                guard try busyIntervals(excludingIn: index.isMultiple(of: 4) ? newYorkAlias : "America/New_York") == 2 else { return false }
            } else {
                let zone = index.isMultiple(of: 3) ? chicagoAlias : "Europe/London"
                guard try invitation(in: zone).contains("\r\nTZID:\(zone)\r\n") else { return false }
            }
        }
        return true
    } catch {
        return false
    }
}

/// Starts the threads; they wait on a condition (no spinning: a test run shares the cores)
/// until all exist, then go ten microseconds apart.
func burst() -> Bool {
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
            if !work(index) { failures.add(1, ordering: .relaxed) }
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

for round in 1...rounds {
    icaltimezone_free_builtin_timezones()
    if !burst() {
        FileHandle.standardError.write(Data("round \(round): a thread got a wrong result\n".utf8))
        exit(3)
    }
}
