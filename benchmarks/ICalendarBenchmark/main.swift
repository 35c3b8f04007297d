// Parses and expands a feed of 5,000 events (a fifth of them weekly) over 90 days, next to
// Python's recurring-ical-events doing the same in the same run (timed inside Python, so
// the interpreter's start-up is not counted).
//
//   swift run -c release ICalendarBenchmark [runs]
import Foundation
import ICalendar
import SchedulingCore

let runs = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 7
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ical-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

// The feed: events spread over 2026 in New York time, every fifth one recurring weekly.
var generator = SystemRandomNumberGenerator()
var feed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
for index in 0..<5000 {
    let day = Int.random(in: 0..<365, using: &generator)
    let date = LocalDate(year: 2026, month: 1, day: 1)?.adding(days: Int64(day)) ?? LocalDate(daysSinceEpoch: 0)
    let hour = Int.random(in: 8...17, using: &generator)
    let stamp = String(format: "%04d%02d%02dT%02d%02d00", date.year, date.month, date.day, hour, [0, 15, 30, 45][index % 4])
    let endStamp = String(format: "%04d%02d%02dT%02d%02d00", date.year, date.month, date.day, hour + 1, [0, 15, 30, 45][index % 4])
    feed +=
        "BEGIN:VEVENT\r\nUID:event-\(index)@bench\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=America/New_York:\(stamp)\r\nDTEND;TZID=America/New_York:\(endStamp)\r\n"
    if index % 5 == 0 { feed += "RRULE:FREQ=WEEKLY\r\n" }
    feed += "SUMMARY:Meeting \(index)\r\nEND:VEVENT\r\n"
}
feed += "END:VCALENDAR\r\n"
let file = directory.appendingPathComponent("feed.ics")
try feed.write(to: file, atomically: true, encoding: .utf8)
// 1 March 2026, 90 days.
let window = Interval(start: Instant(secondsSinceEpoch: 1_772_323_200), end: Instant(secondsSinceEpoch: 1_772_323_200 + 90 * 86_400))

let python = """
    import sys, time, datetime, icalendar, recurring_ical_events
    data = open(sys.argv[1], 'rb').read()
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc); end = start + datetime.timedelta(days=90)
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter()
        events = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(start, end)
        print(time.perf_counter() - t, len(events))
    """

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

let bytes = Array(try Data(contentsOf: file))
var ours: [Double] = []
var count = 0
for _ in 0..<runs {
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
        let busy = try BusyTimeReader(ownerZone: IANATimeZone.named("America/New_York") ?? .current)
            .busyTime(in: ICalendarDocument(bytes: bytes), window: window)
        count = busy.intervals.count
    }
    ours.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", "-c", python, file.path, "\(runs)"]
let output = Pipe()
process.standardOutput = output
try process.run()
let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
process.waitUntilExit()
let pythonLines = text.split(separator: "\n").map { $0.split(separator: " ") }
let theirs = pythonLines.compactMap { $0.first.flatMap { Double($0) } }
let theirCount = pythonLines.last?.last.flatMap { Int($0) } ?? -1

print("| reader | occurrences in 90 days | median ms | runs |")
print("|---|---:|---:|---:|")
print(String(format: "| libical + Swift (this project) | %d | %.1f | %d |", count, median(ours) * 1000, runs))
print(String(format: "| Python icalendar + recurring-ical-events | %d | %.1f | %d |", theirCount, median(theirs) * 1000, theirs.count))
print(String(format: "\nratio Python / ours: %.1f×", median(theirs) / median(ours)))
