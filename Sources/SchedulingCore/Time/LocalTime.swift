/// A wall-clock time of day without a date or zone, from 00:00:00 up to and including 24:00:00.
///
/// `24:00` is allowed so that a working range can end exactly at midnight.
public struct LocalTime: Hashable, Comparable, Sendable {
    /// Seconds since the start of the day, 0...86_400.
    public let secondOfDay: Int

    public init?(hour: Int, minute: Int, second: Int = 0) {
        guard (0...24).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        let total = hour * 3600 + minute * 60 + second
        guard total <= 86_400 else { return nil }
        self.secondOfDay = total
    }

    public var hour: Int { secondOfDay / 3600 }
    public var minute: Int { secondOfDay % 3600 / 60 }
    public var second: Int { secondOfDay % 60 }

    /// Parses `HH:MM` or `HH:MM:SS` (24-hour clock).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
            parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        let second = parts.count == 3 ? Int(parts[2]) ?? -1 : 0
        self.init(hour: hour, minute: minute, second: second)
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.secondOfDay < rhs.secondOfDay }
}

extension LocalTime: CustomStringConvertible {
    /// `HH:MM`, or `HH:MM:SS` when the seconds are not zero.
    public var description: String {
        let hm = "\(ISO8601.pad(hour, 2)):\(ISO8601.pad(minute, 2))"
        return second == 0 ? hm : "\(hm):\(ISO8601.pad(second, 2))"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
