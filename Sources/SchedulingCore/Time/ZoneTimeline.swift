public import Foundation
import Synchronization

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

    /// `zone`'s transitions from at least two days before `interval` to two days after it,
    /// widened to whole UTC days. Looked up once per zone and days, then shared: requests over
    /// the same days of one zone are the usual case, and each lookup is several calls into ICU.
    public init(zone: TimeZone, covering interval: Interval) {
        let day: Int64 = 86_400
        let from = Self.floor(interval.start.secondsSinceEpoch - 2 * day, to: day)
        let to = Self.floor(interval.end.secondsSinceEpoch + 3 * day - 1, to: day)
        let key = Key(zone: zone.identifier, from: from, to: to)
        if let known = Self.known.withLock({ $0[key] }), known.zone == zone {
            self = known
            return
        }
        self.init(zone: zone, from: from, to: to)
        let made = self
        Self.known.withLock { known in
            if known.count >= Self.capacity { known.removeAll(keepingCapacity: true) }
            known[key] = made
        }
    }

    private struct Key: Hashable {
        var zone: String
        var from: Int64
        var to: Int64
    }

    /// Timelines already looked up; emptied when full (a few hundred zones and day ranges).
    private static let known = Mutex<[Key: ZoneTimeline]>([:])
    private static let capacity = 1024

    private static func floor(_ seconds: Int64, to unit: Int64) -> Int64 {
        seconds >= 0 ? seconds / unit * unit : -((-seconds + unit - 1) / unit * unit)
    }

    private init(zone: TimeZone, from: Int64, to: Int64) {
        self.zone = zone
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
