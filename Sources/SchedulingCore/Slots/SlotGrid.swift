public import Foundation

/// The instants a slot may start at: every `step` on the wall clock of `zone`, counted
/// from local midnight (so 15 minutes in Asia/Kathmandu means :00, :15, :30, :45 there).
public struct SlotGrid: Hashable, Sendable {
    public let step: Duration
    public let zone: TimeZone
    let stepSeconds: Int64

    /// `step` must be positive and divide a day evenly.
    public init?(step: Duration, zone: TimeZone) {
        let seconds = step.seconds
        guard seconds > 0, 86_400 % seconds == 0 else { return nil }
        self.step = step
        self.zone = zone
        self.stepSeconds = seconds
    }

    /// The first grid instant at or after `instant`.
    public func firstStart(atOrAfter instant: Instant) -> Instant {
        firstStart(atOrAfter: instant, offsets: zone)
    }

    /// The first grid instant at or after `instant`, reading the zone's offsets from `offsets`.
    ///
    /// The grid point is found in the offset in force at `from`. When the offset at that
    /// point differs, a transition lies before it, and the wall clock jumped there by an
    /// amount that need not be a multiple of the step (Australia/Lord_Howe moves 30 minutes):
    /// the search starts again at the transition, in the new offset.
    func firstStart(atOrAfter instant: Instant, offsets: some UTCOffsetSource) -> Instant {
        var from = instant.secondsSinceEpoch
        while true {
            let offset = offsets.utcOffset(atSecondsSinceEpoch: from)
            let candidate = Self.ceil(from + offset, to: stepSeconds) - offset
            guard offsets.utcOffset(atSecondsSinceEpoch: candidate) != offset else { return Instant(secondsSinceEpoch: candidate) }
            from = Self.firstChange(after: from, upTo: candidate, from: offset, offsets: offsets)
        }
    }

    /// The first second in `(from, to]` whose offset is not `offset`; `to`'s is not.
    private static func firstChange(after from: Int64, upTo to: Int64, from offset: Int64, offsets: some UTCOffsetSource) -> Int64 {
        var low = from, high = to
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offsets.utcOffset(atSecondsSinceEpoch: middle) == offset { low = middle } else { high = middle }
        }
        return high
    }

    private static func ceil(_ value: Int64, to step: Int64) -> Int64 {
        let remainder = ((value % step) + step) % step
        return remainder == 0 ? value : value + (step - remainder)
    }
}
