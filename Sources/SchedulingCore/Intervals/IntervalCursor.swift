/// Answers containment and overlap questions about an `IntervalSet` for a sequence of
/// probes whose starts never decrease, in amortised O(1) per probe.
struct IntervalCursor {
    private let intervals: [Interval]
    private var index = 0

    init(_ set: IntervalSet) {
        intervals = set.intervals
    }

    /// Skips the intervals that end at or before `start`; later probes start no earlier.
    private mutating func advance(to start: Instant) {
        while index < intervals.count, intervals[index].end <= start { index += 1 }
    }

    /// Whether `probe` lies inside one interval of the set.
    mutating func contains(_ probe: Interval) -> Bool {
        advance(to: probe.start)
        return index < intervals.count && intervals[index].contains(probe)
    }

    /// The first interval of the set that overlaps `probe`.
    mutating func firstOverlap(with probe: Interval) -> Interval? {
        advance(to: probe.start)
        guard index < intervals.count, intervals[index].overlaps(probe) else { return nil }
        return intervals[index]
    }
}
