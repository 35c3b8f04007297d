/// A wall-clock range within a working day, such as 09:00–12:00.
///
/// When `end` is at or before `start` the range runs past local midnight into the next
/// day (a night shift, 22:00–06:00). `00:00–24:00` is the whole day.
public struct LocalTimeRange: Hashable, Sendable {
    public let start: LocalTime
    public let end: LocalTime

    /// Creates a range, or nil when it is empty (`start == end`) or starts at 24:00.
    public init?(start: LocalTime, end: LocalTime) {
        guard start != end, start.secondOfDay < 86_400 else { return nil }
        self.start = start
        self.end = end
    }

    /// Whether the range ends on the following day.
    public var crossesMidnight: Bool { end < start }

    /// The wall-clock start and end when the range begins on `date`.
    func localEndpoints(on date: LocalDate) -> (start: LocalDateTime, end: LocalDateTime) {
        let endDate = crossesMidnight ? date.adding(days: 1) : date
        return (LocalDateTime(date: date, time: start), LocalDateTime(date: endDate, time: end))
    }
}

extension LocalTimeRange: CustomStringConvertible {
    public var description: String { "\(start)–\(end)" }
}
