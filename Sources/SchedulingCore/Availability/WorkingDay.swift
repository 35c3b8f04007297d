import Foundation

/// One date's working time of one person, resolved to UTC instants.
public struct WorkingDay: Hashable, Sendable {
    /// The person's local date the ranges start on.
    public let date: LocalDate
    /// The resolved ranges, as instants; non-empty.
    public let blocks: [Interval]
    /// From the first block's start to the last block's end.
    public let span: Interval
}

extension WorkingHours {
    /// Resolves the working ranges of every local date that can touch `window`, one date
    /// at a time in `zone`.
    ///
    /// Each endpoint is resolved on its own date (see `TimeZone.instant(for:)`), so on a
    /// spring-forward day a range spanning the gap is shorter in real time, and on a
    /// fall-back day a range spanning the repeated hour is longer; nothing is shifted.
    public func workingDays(in zone: some UTCOffsetSource, covering window: Interval) -> [WorkingDay] {
        // A day before and after the window's local dates catches night shifts and the
        // widest offsets (±14 h).
        let first = zone.localDateTime(at: window.start).date.adding(days: -1)
        let last = zone.localDateTime(at: window.end).date.adding(days: 1)
        var days: [WorkingDay] = []
        var date = first
        while date <= last {
            let blocks = ranges(on: date).compactMap { range -> Interval? in
                let local = range.localEndpoints(on: date)
                let start = zone.instant(for: local.start), end = zone.instant(for: local.end)
                guard start < end else { return nil }
                return Interval(start: start, end: end)
            }.sorted { $0.start < $1.start }
            if let firstBlock = blocks.first {
                let end = blocks.map(\.end).max() ?? firstBlock.end
                days.append(WorkingDay(date: date, blocks: blocks, span: Interval(start: firstBlock.start, end: end)))
            }
            date = date.adding(days: 1)
        }
        return days
    }
}
