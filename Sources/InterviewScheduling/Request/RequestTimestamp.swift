import SchedulingCore

/// The timestamps the API reads.
///
/// An instant is any RFC 3339 `date-time`: `T` or `t`, seconds required, a fraction of any
/// length (truncated to the second), a leap second (`:60` at 23:59 UTC), and `Z`, `z` or any
/// offset from `-23:59` to `+23:59`. A wall-clock time is the same without the offset, where
/// seconds are optional (`2026-03-09T09:00`); a zone reads it. Instants must fall within the
/// years 0000–9999 in UTC.
public enum RequestTimestamp {
    /// A parsed timestamp.
    public enum Value: Equatable, Sendable {
        case instant(Instant)
        case local(LocalDateTime)
    }

    /// An instant or a wall-clock time, or nil when `text` is neither.
    public static func parse(_ text: String) -> Value? {
        var scanner = Scanner(Array(text.utf8))
        guard let date = scanner.date(), scanner.take("T") || scanner.take("t"),
              let hour = scanner.number(digits: 2, upTo: 23), scanner.take(":"),
              let minute = scanner.number(digits: 2, upTo: 59)
        else { return nil }
        var second: Int?
        if scanner.take(":") {
            guard let parsed = scanner.number(digits: 2, upTo: 60) else { return nil }
            second = parsed
            if scanner.take("."), scanner.digits() == 0 { return nil }
        }
        guard let time = LocalTime(hour: hour, minute: minute, second: min(second ?? 0, 59)) else { return nil }
        let local = LocalDateTime(date: date, time: time)
        if scanner.atEnd {
            return second == 60 ? nil : .local(local)
        }
        guard let second, let offset = scanner.offset(), scanner.atEnd else { return nil }
        let utc = local.localSecondsSinceEpoch - offset
        // A leap second is inserted after 23:59:59 UTC; it reads as the next day's first second.
        if second == 60, (utc % 86_400 + 86_400) % 86_400 != 86_399 { return nil }
        let instant = Instant(secondsSinceEpoch: utc + (second == 60 ? 1 : 0))
        return range.contains(instant.secondsSinceEpoch) ? .instant(instant) : nil
    }

    /// An RFC 3339 instant, or nil (a wall-clock time is nil too).
    public static func instant(_ text: String) -> Instant? {
        if case .instant(let instant)? = parse(text) { return instant }
        return nil
    }

    /// The form the slot search reads (`2026-03-09T14:00:00Z`, or `2026-03-09T09:00:00`
    /// for a wall-clock time), or nil when `text` is not a timestamp.
    public static func canonical(_ text: String) -> String? {
        switch parse(text) {
        case .instant(let instant)?: return ISO8601.format(instant)
        case .local(let local)?: return local.description
        case nil: return nil
        }
    }

    /// 0000-01-01T00:00:00Z up to 9999-12-31T23:59:59Z, the years four digits can write.
    static let range: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    /// A cursor over the bytes of a timestamp.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `digits` ASCII digits whose value is at most `limit`.
        mutating func number(digits: Int, upTo limit: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard value <= limit else { return nil }
            index += digits
            return value
        }

        /// Skips a run of digits and says how many there were.
        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }

        /// `YYYY-MM-DD`, a day that exists.
        mutating func date() -> LocalDate? {
            guard let year = number(digits: 4, upTo: 9999), take("-"),
                  let month = number(digits: 2, upTo: 12), take("-"),
                  let day = number(digits: 2, upTo: 31)
            else { return nil }
            return LocalDate(year: year, month: month, day: day)
        }

        /// `Z`, `z` or `±HH:MM` as seconds east of UTC.
        mutating func offset() -> Int64? {
            if take("Z") || take("z") { return 0 }
            let sign: Int64
            if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
            guard let hours = number(digits: 2, upTo: 23), take(":"), let minutes = number(digits: 2, upTo: 59) else { return nil }
            return sign * Int64(hours * 3600 + minutes * 60)
        }
    }
}
