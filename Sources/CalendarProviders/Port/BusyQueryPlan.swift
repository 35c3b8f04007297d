import SchedulingCore

/// Splits a busy-time query into the pieces an API accepts: at most `batchSize` people per
/// call and windows of at most `maxWindowSeconds`.
struct BusyQueryPlan {
    struct Piece {
        var calendars: [String]
        var window: Interval
    }

    let pieces: [Piece]

    init(calendars: [String], window: Interval, batchSize: Int, maxWindowSeconds: Int64) {
        var windows: [Interval] = []
        var start = window.start
        while start < window.end {
            let end = Instant(secondsSinceEpoch: min(window.end.secondsSinceEpoch, start.secondsSinceEpoch + maxWindowSeconds))
            windows.append(Interval(start: start, end: end))
            start = end
        }
        let unique = Array(Set(calendars)).sorted()
        let batches = stride(from: 0, to: unique.count, by: max(1, batchSize)).map { Array(unique[$0..<min(unique.count, $0 + max(1, batchSize))]) }
        pieces = batches.flatMap { batch in windows.map { Piece(calendars: batch, window: $0) } }
    }
}
