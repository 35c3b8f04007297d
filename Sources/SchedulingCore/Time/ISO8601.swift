public import Foundation

/// Strict parsing and formatting of the ISO 8601 / RFC 3339 forms the service uses.
///
/// Accepted: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z`, `±HH:MM` (up to `±23:59`),
/// or nothing (a local date-time). Fractions of a second are truncated; a leap second
/// (`23:59:60` in UTC) reads as the next day's first second.
public enum ISO8601 {
    /// A parsed timestamp: either an instant, or a wall-clock time that still needs a zone.
    public enum Timestamp: Equatable, Sendable {
        case instant(Instant)
        case local(LocalDateTime)
    }

    /// How closely a timestamp must follow RFC 3339.
    public enum Form: Sendable {
        /// What files and events may carry: seconds optional, `,` or `.` before a fraction.
        case lenient
        /// An API's `date-time`: an instant has seconds, a fraction follows `.`, and the
        /// instant lies within the years four digits write in UTC (0000–9999).
        case rfc3339
    }

    /// Parses a timestamp with or without an offset.
    public static func timestamp(_ text: String, form: Form = .lenient) -> Timestamp? {
        let strict = form == .rfc3339
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") else { return nil }
        guard let date = localDate(bytes[0..<10]) else { return nil }
        var index = 11
        guard let hour = number(bytes, &index, digits: 2), expect(bytes, &index, ":"),
            let minute = number(bytes, &index, digits: 2)
        else { return nil }
        var second: Int?
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let parsed = number(bytes, &index, digits: 2) else { return nil }
            second = parsed
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || (!strict && bytes[index] == UInt8(ascii: ",")) {
                index += 1
                let start = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                guard index > start else { return nil }
            }
        }
        let leapSecond = second == 60
        guard hour < 24, let time = LocalTime(hour: hour, minute: minute, second: leapSecond ? 59 : second ?? 0) else { return nil }
        let local = LocalDateTime(date: date, time: time)
        if index == bytes.count { return leapSecond ? nil : .local(local) }
        guard !strict || second != nil else { return nil }
        let offsetSeconds: Int
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
            offsetSeconds = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let oh = number(bytes, &index, digits: 2), expect(bytes, &index, ":"),
                let om = number(bytes, &index, digits: 2), index == bytes.count, oh < 24, om < 60
            else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
        let utc = local.localSecondsSinceEpoch - Int64(offsetSeconds)
        // A leap second is inserted after 23:59:59 UTC and nowhere else.
        if leapSecond, (utc % 86_400 + 86_400) % 86_400 != 86_399 { return nil }
        let instant = utc + (leapSecond ? 1 : 0)
        if strict, !fourDigitYears.contains(instant) { return nil }
        return .instant(Instant(secondsSinceEpoch: instant))
    }

    /// Parses a timestamp that must carry `Z` or an offset.
    public static func instant(_ text: String, form: Form) -> Instant? {
        if case .instant(let instant)? = timestamp(text, form: form) { return instant }
        return nil
    }

    /// Parses a timestamp that must carry `Z` or an offset, in the lenient form.
    public static func instant(_ text: String) -> Instant? {
        instant(text, form: .lenient)
    }

    /// The timestamp in the form this type writes: an instant in UTC (`2026-03-09T14:00:00Z`),
    /// a wall-clock time with seconds (`2026-03-09T09:00:00`); nil when `text` is neither.
    public static func normalized(_ text: String, form: Form = .lenient) -> String? {
        switch timestamp(text, form: form) {
        case .instant(let instant)?: return format(instant)
        case .local(let local)?: return local.description
        case nil: return nil
        }
    }

    /// 0000-01-01T00:00:00Z up to 9999-12-31T23:59:59Z.
    static let fourDigitYears: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    /// Parses `YYYY-MM-DD`.
    public static func date(_ text: String) -> LocalDate? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else { return nil }
        return localDate(bytes[0..<10])
    }

    /// `2026-03-09T14:00:00Z`.
    public static func format(_ instant: Instant) -> String {
        "\(LocalDateTime(localSecondsSinceEpoch: instant.secondsSinceEpoch))Z"
    }

    /// The instant as read in `zone`, with its offset: `2026-03-09T10:00:00-04:00`.
    public static func format(_ instant: Instant, in zone: TimeZone) -> String {
        "\(zone.localDateTime(at: instant))\(formatOffset(zone.utcOffset(at: instant)))"
    }

    /// `+05:45`, `-04:00`, `+00:00`.
    public static func formatOffset(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = Int(abs(seconds))
        return "\(sign)\(pad(magnitude / 3600, 2)):\(pad(magnitude % 3600 / 60, 2))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }

    private static func localDate(_ bytes: ArraySlice<UInt8>) -> LocalDate? {
        let b = Array(bytes)
        var index = 0
        guard let year = number(b, &index, digits: 4), expect(b, &index, "-"),
            let month = number(b, &index, digits: 2), expect(b, &index, "-"),
            let day = number(b, &index, digits: 2)
        else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    private static func number(_ bytes: [UInt8], _ index: inout Int, digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += digits
        return value
    }

    private static func expect(_ bytes: [UInt8], _ index: inout Int, _ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
