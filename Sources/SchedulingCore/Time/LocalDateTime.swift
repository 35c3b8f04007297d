/// A date and wall-clock time with no zone: what a person reads off a clock on the wall.
public struct LocalDateTime: Hashable, Comparable, Sendable {
    public let date: LocalDate
    /// Seconds after the start of `date`; may be 86_400 (24:00), which equals the next day's 00:00.
    public let secondOfDay: Int

    public init(date: LocalDate, time: LocalTime) {
        self.date = date
        self.secondOfDay = time.secondOfDay
    }

    /// The wall-clock reading `localSeconds` seconds after 1970-01-01T00:00 (zone-less).
    public init(localSecondsSinceEpoch localSeconds: Int64) {
        let days = localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400
        self.date = LocalDate(daysSinceEpoch: days)
        self.secondOfDay = Int(localSeconds - days * 86_400)
    }

    /// The wall-clock reading as seconds since 1970-01-01T00:00 on the same (zone-less) clock.
    public var localSecondsSinceEpoch: Int64 {
        date.daysSinceEpoch * 86_400 + Int64(secondOfDay)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        lhs.localSecondsSinceEpoch < rhs.localSecondsSinceEpoch
    }
}

extension LocalDateTime: CustomStringConvertible {
    /// `YYYY-MM-DDTHH:MM:SS`.
    public var description: String {
        let h = secondOfDay / 3600, m = secondOfDay % 3600 / 60, s = secondOfDay % 60
        return "\(date)T\(ISO8601.pad(h, 2)):\(ISO8601.pad(m, 2)):\(ISO8601.pad(s, 2))"
    }
}
