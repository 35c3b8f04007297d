import Foundation
import SchedulingCore
import Testing

/// `2026-03-09T14:00:00Z` as an `Instant`; records a test failure for malformed text.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Instant {
    guard let value = ISO8601.instant(text) else {
        Issue.record("bad instant literal \(text)", sourceLocation: sourceLocation)
        return Instant(secondsSinceEpoch: 0)
    }
    return value
}

func interval(_ start: String, _ end: String) -> Interval {
    Interval(start: instant(start), end: instant(end))
}

func zone(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> TimeZone {
    guard let value = IANATimeZone.named(name) else {
        Issue.record("unknown zone \(name)", sourceLocation: sourceLocation)
        return TimeZone(secondsFromGMT: 0) ?? .current
    }
    return value
}

func localDateTime(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> LocalDateTime {
    guard case .local(let value)? = ISO8601.timestamp(text) else {
        Issue.record("bad local date-time literal \(text)", sourceLocation: sourceLocation)
        return LocalDateTime(localSecondsSinceEpoch: 0)
    }
    return value
}

func range(_ start: String, _ end: String, sourceLocation: SourceLocation = #_sourceLocation) -> LocalTimeRange {
    guard let from = LocalTime(parsing: start), let to = LocalTime(parsing: end), let value = LocalTimeRange(start: from, end: to) else {
        Issue.record("bad range \(start)–\(end)", sourceLocation: sourceLocation)
        return LocalTimeRange(start: LocalTime(hour: 0, minute: 0)!, end: LocalTime(hour: 1, minute: 0)!)!
    }
    return value
}

func date(_ text: String) -> LocalDate {
    ISO8601.date(text) ?? LocalDate(daysSinceEpoch: 0)
}

/// Monday to Friday with the same ranges.
func weekdays(_ ranges: LocalTimeRange...) -> [Weekday: [LocalTimeRange]] {
    Dictionary(uniqueKeysWithValues: [Weekday.monday, .tuesday, .wednesday, .thursday, .friday].map { ($0, ranges) })
}

/// Every day of the week with the same ranges.
func everyDay(_ ranges: LocalTimeRange...) -> [Weekday: [LocalTimeRange]] {
    Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, ranges) })
}

func utcGrid(minutes: Int64 = 15) -> SlotGrid {
    SlotGrid(step: .seconds(minutes * 60), zone: zone("UTC"))!
}
