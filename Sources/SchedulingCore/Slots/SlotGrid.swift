import Foundation

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
    func firstStart(atOrAfter instant: Instant, offsets: some UTCOffsetSource) -> Instant {
        let seconds = instant.secondsSinceEpoch
        let offset = offsets.utcOffset(atSecondsSinceEpoch: seconds)
        let candidate = Self.ceil(seconds + offset, to: stepSeconds) - offset
        if offsets.utcOffset(atSecondsSinceEpoch: candidate) == offset {
            return Instant(secondsSinceEpoch: candidate)
        }
        // A transition lies between `instant` and the candidate: the grid point may sit on
        // the other side, read with the offset from after the transition.
        let later = offsets.utcOffset(atSecondsSinceEpoch: candidate)
        let shifted = Self.ceil(seconds + later, to: stepSeconds) - later
        if shifted >= seconds, offsets.utcOffset(atSecondsSinceEpoch: shifted) == later {
            return Instant(secondsSinceEpoch: min(shifted, candidate))
        }
        return Instant(secondsSinceEpoch: candidate)
    }

    private static func ceil(_ value: Int64, to step: Int64) -> Int64 {
        let remainder = ((value % step) + step) % step
        return remainder == 0 ? value : value + (step - remainder)
    }
}
