public import Foundation

/// A zone's offsets over a stretch of time, looked up once: the offset at the start and
/// every transition up to the end. Offsets inside the stretch are then a short scan
/// instead of a call into the system's time zone library (which takes a lock).
///
/// Outside the stretch it asks the zone itself, so it is never wrong, only slower.
public struct ZoneTimeline: UTCOffsetSource, Sendable {
    public let zone: TimeZone
    private let covered: ClosedRange<Int64>
    private let initialOffset: Int64
    /// Transition instants (seconds) and the offset in force from each on, ascending.
    private let transitions: [(at: Int64, offset: Int64)]

    /// Looks up `zone`'s transitions from two days before `interval` to two days after it.
    public init(zone: TimeZone, covering interval: Interval) {
        self.zone = zone
        let from = interval.start.secondsSinceEpoch - 2 * 86_400
        let to = interval.end.secondsSinceEpoch + 2 * 86_400
        covered = from...to
        initialOffset = zone.utcOffset(atSecondsSinceEpoch: from)
        var found: [(at: Int64, offset: Int64)] = []
        var cursor = Date(timeIntervalSince1970: TimeInterval(from))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 <= TimeInterval(to) {
            let seconds = Int64(next.timeIntervalSince1970.rounded(.down))
            found.append((seconds, zone.utcOffset(atSecondsSinceEpoch: seconds)))
            cursor = next
        }
        transitions = found
    }

    public func utcOffset(atSecondsSinceEpoch secondsSinceEpoch: Int64) -> Int64 {
        guard covered.contains(secondsSinceEpoch) else { return zone.utcOffset(atSecondsSinceEpoch: secondsSinceEpoch) }
        var offset = initialOffset
        for transition in transitions {
            guard transition.at <= secondsSinceEpoch else { break }
            offset = transition.offset
        }
        return offset
    }
}
