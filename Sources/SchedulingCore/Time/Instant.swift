public import Foundation

/// A point on the UTC time line, in whole seconds since 1970-01-01T00:00:00Z.
///
/// Scheduling works at a resolution of seconds; integer arithmetic keeps the interval
/// algebra exact. Local date-times exist only at the edges, always paired with a zone.
public struct Instant: Hashable, Comparable, Sendable {
    /// Seconds since the Unix epoch.
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// The instant of `date`, rounded down to the whole second.
    public init(_ date: Date) {
        self.secondsSinceEpoch = Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// The same instant as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch)) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        Instant(secondsSinceEpoch: lhs.secondsSinceEpoch + rhs.seconds)
    }

    public static func - (lhs: Instant, rhs: Duration) -> Instant {
        Instant(secondsSinceEpoch: lhs.secondsSinceEpoch - rhs.seconds)
    }

    /// The instant `seconds` later (earlier when negative); cheaper than adding a `Duration`.
    func advanced(bySeconds seconds: Int64) -> Instant {
        Instant(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    /// The signed length of time from `rhs` to `lhs`.
    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        .seconds(lhs.secondsSinceEpoch - rhs.secondsSinceEpoch)
    }
}

extension Instant: CustomStringConvertible {
    /// ISO 8601 in UTC, e.g. `2026-03-09T14:00:00Z`.
    public var description: String { ISO8601.format(self) }
}

extension Instant: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let instant = ISO8601.instant(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a UTC instant like 2026-03-09T14:00:00Z, got \"\(text)\"")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Duration {
    /// Whole seconds of this duration, rounded toward zero.
    public var seconds: Int64 { components.seconds }

    /// Whole minutes of this duration, rounded toward zero.
    public var minutes: Int64 { components.seconds / 60 }
}
