/// A half-open span of time `[start, end)`: it contains `start` but not `end`, so two
/// intervals that touch (`a.end == b.start`) do not overlap.
public struct Interval: Hashable, Sendable {
    public var start: Instant
    public var end: Instant

    /// Creates an interval; `end` may equal `start` (an empty interval) but not precede it.
    public init(start: Instant, end: Instant) {
        precondition(start <= end, "interval end \(end) precedes start \(start)")
        self.start = start
        self.end = end
    }

    /// Creates an interval, or nil when `end` precedes `start`.
    public init?(checkedStart start: Instant, end: Instant) {
        guard start <= end else { return nil }
        self.start = start
        self.end = end
    }

    public init(start: Instant, duration: Duration) {
        self.init(start: start, end: start + duration)
    }

    public var duration: Duration { end - start }
    public var isEmpty: Bool { start == end }

    /// Whether the two share at least one instant.
    public func overlaps(_ other: Interval) -> Bool {
        start < other.end && other.start < end
    }

    /// Whether `other` lies entirely inside this interval.
    public func contains(_ other: Interval) -> Bool {
        start <= other.start && other.end <= end
    }

    public func contains(_ instant: Instant) -> Bool {
        start <= instant && instant < end
    }

    /// The interval widened by `before` at its start and `after` at its end.
    public func widened(before: Duration, after: Duration) -> Interval {
        widened(beforeSeconds: before.seconds, afterSeconds: after.seconds)
    }

    func widened(beforeSeconds: Int64, afterSeconds: Int64) -> Interval {
        Interval(start: start.advanced(bySeconds: -beforeSeconds), end: end.advanced(bySeconds: afterSeconds))
    }
}

extension Interval: CustomStringConvertible {
    public var description: String { "[\(start), \(end))" }
}
