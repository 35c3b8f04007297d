public import Foundation

/// Anything that knows a zone's offset from UTC at every instant: a `TimeZone`, or a
/// `ZoneTimeline` that has looked the transitions up in advance.
///
/// Resolution between wall-clock time and instants is written once, here, on top of it.
public protocol UTCOffsetSource {
    /// The offset from UTC in seconds (east positive) at `secondsSinceEpoch`.
    func utcOffset(atSecondsSinceEpoch secondsSinceEpoch: Int64) -> Int64
}

extension UTCOffsetSource {
    /// The zone's offset from UTC at `instant`, in seconds (east positive).
    public func utcOffset(at instant: Instant) -> Int64 {
        utcOffset(atSecondsSinceEpoch: instant.secondsSinceEpoch)
    }

    /// The instant at which the zone's clocks show `local`.
    ///
    /// Follows java.time's `ZonedDateTime.of`: a local time that falls in a gap (clocks
    /// moved forward) is moved later by the length of the gap; a local time that occurs
    /// twice (clocks moved back) takes the earlier offset, so the earlier instant.
    public func instant(for local: LocalDateTime) -> Instant {
        let wall = local.localSecondsSinceEpoch
        // The offsets in force a day either side bound every offset the wall time can
        // have, even across the 24-hour jump Pacific/Apia made in 2011.
        let before = utcOffset(atSecondsSinceEpoch: wall - 86_400)
        let after = utcOffset(atSecondsSinceEpoch: wall + 86_400)
        var earliestValid: Int64?
        for candidate in before == after ? [before] : [before, after, utcOffset(atSecondsSinceEpoch: wall - before)] {
            let instant = wall - candidate
            if utcOffset(atSecondsSinceEpoch: instant) == candidate, instant < (earliestValid ?? .max) {
                earliestValid = instant
            }
        }
        // No offset maps this wall time to itself: it is inside a gap. Reading it with the
        // offset from before the gap moves it forward by the gap's length.
        return Instant(secondsSinceEpoch: earliestValid ?? wall - before)
    }

    /// The zone's wall-clock reading at `instant`.
    public func localDateTime(at instant: Instant) -> LocalDateTime {
        LocalDateTime(localSecondsSinceEpoch: instant.secondsSinceEpoch + utcOffset(at: instant))
    }
}

extension TimeZone: UTCOffsetSource {
    public func utcOffset(atSecondsSinceEpoch secondsSinceEpoch: Int64) -> Int64 {
        Int64(secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(secondsSinceEpoch))))
    }
}
