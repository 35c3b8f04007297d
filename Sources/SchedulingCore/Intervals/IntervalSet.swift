/// A set of instants stored as sorted, disjoint, non-touching intervals.
///
/// Every initialiser normalises: empty intervals are dropped, and overlapping or touching
/// intervals are merged, so `[9:00, 10:00)` and `[10:00, 11:00)` become `[9:00, 11:00)`.
/// Set operations are linear merges over two normalised lists.
public struct IntervalSet: Hashable, Sendable {
    /// The normalised intervals, in ascending order.
    public private(set) var intervals: [Interval]

    public static let empty = IntervalSet(normalized: [])

    /// Normalises `intervals`: O(n log n), or O(n) when they are already in start order.
    public init(_ intervals: [Interval]) {
        var sorted = intervals
        if !Self.isInStartOrder(sorted) {
            sorted.sort { $0.start < $1.start }
        }
        self.init(normalized: Self.merged(sorted))
    }

    /// Every interval widened by `before` at its start and `after` at its end, in O(n):
    /// widening shifts all starts alike, so the order survives and only merging is needed.
    public func widened(before: Duration, after: Duration) -> IntervalSet {
        widened(beforeSeconds: before.seconds, afterSeconds: after.seconds)
    }

    func widened(beforeSeconds: Int64, afterSeconds: Int64) -> IntervalSet {
        IntervalSet(normalized: Self.merged(intervals.map { $0.widened(beforeSeconds: beforeSeconds, afterSeconds: afterSeconds) }))
    }

    private static func isInStartOrder(_ intervals: [Interval]) -> Bool {
        var index = 1
        while index < intervals.count {
            if intervals[index].start < intervals[index - 1].start { return false }
            index += 1
        }
        return true
    }

    /// Merges overlapping and touching neighbours of a start-ordered list, dropping empty intervals.
    private static func merged(_ sorted: [Interval]) -> [Interval] {
        var merged: [Interval] = []
        merged.reserveCapacity(sorted.count)
        for interval in sorted where !interval.isEmpty {
            if let last = merged.last, interval.start <= last.end {
                if interval.end > last.end { merged[merged.count - 1].end = interval.end }
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    public init(_ interval: Interval) {
        self.init(normalized: interval.isEmpty ? [] : [interval])
    }

    private init(normalized: [Interval]) {
        self.intervals = normalized
    }

    public var isEmpty: Bool { intervals.isEmpty }

    /// The total length of time the set covers.
    public var totalDuration: Duration {
        .seconds(intervals.reduce(0) { $0 + $1.duration.seconds })
    }

    /// Every instant in either set.
    public func union(_ other: IntervalSet) -> IntervalSet {
        IntervalSet(intervals + other.intervals)
    }

    /// Every instant in both sets.
    public func intersection(_ other: IntervalSet) -> IntervalSet {
        var result: [Interval] = []
        var i = 0, j = 0
        let a = intervals, b = other.intervals
        while i < a.count, j < b.count {
            let start = max(a[i].start, b[j].start)
            let end = min(a[i].end, b[j].end)
            if start < end { result.append(Interval(start: start, end: end)) }
            if a[i].end < b[j].end { i += 1 } else { j += 1 }
        }
        return IntervalSet(normalized: result)
    }

    /// Every instant in this set and not in `other`.
    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        var result: [Interval] = []
        let b = other.intervals
        var j = 0
        for interval in intervals {
            var start = interval.start
            while j < b.count, b[j].end <= start { j += 1 }
            var k = j
            while k < b.count, b[k].start < interval.end {
                if b[k].start > start { result.append(Interval(start: start, end: b[k].start)) }
                start = max(start, b[k].end)
                k += 1
            }
            if start < interval.end { result.append(Interval(start: start, end: interval.end)) }
        }
        return IntervalSet(normalized: result)
    }

    /// Whether `interval` lies entirely inside one of the set's intervals. O(log n).
    public func contains(_ interval: Interval) -> Bool {
        guard let index = indexOfLastInterval(startingAtOrBefore: interval.start) else { return false }
        return intervals[index].contains(interval)
    }

    /// The first of the set's intervals that overlaps `interval`, if any. O(log n).
    public func firstOverlap(with interval: Interval) -> Interval? {
        var index = indexOfLastInterval(startingAtOrBefore: interval.start) ?? 0
        if index < intervals.count, intervals[index].end <= interval.start { index += 1 }
        guard index < intervals.count, intervals[index].overlaps(interval) else { return nil }
        return intervals[index]
    }

    /// Binary search: the last interval whose start is at or before `instant`.
    private func indexOfLastInterval(startingAtOrBefore instant: Instant) -> Int? {
        var low = 0, high = intervals.count
        while low < high {
            let mid = (low + high) / 2
            if intervals[mid].start <= instant { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }
}
