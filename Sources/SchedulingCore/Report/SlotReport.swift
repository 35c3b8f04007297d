public import Foundation

/// The printable result of a slot search: every slot in UTC and in each participant's
/// wall-clock time, or the explanation of why nothing fits.
public struct SlotReport: Codable, Hashable, Sendable {
    /// A slot as one participant's clock shows it.
    public struct LocalTime: Codable, Hashable, Sendable {
        public var participant: String
        public var timeZone: String
        /// With offset, e.g. `2026-03-09T10:00:00-04:00`.
        public var start: String
        public var end: String
        /// The offset in force at the start, e.g. `-04:00`.
        public var utcOffset: String
    }

    public struct Slot: Codable, Hashable, Sendable {
        public var start: Instant
        public var end: Instant
        public var humaneScore: Double?
        public var local: [LocalTime]
    }

    public struct Blocker: Codable, Hashable, Sendable {
        public var participant: String?
        public var reason: NoSlotExplanation.Blocker.Reason
        public var conflictStart: Instant?
        public var conflictEnd: Instant?
    }

    public struct NearMiss: Codable, Hashable, Sendable {
        public var start: Instant
        public var end: Instant
        public var blockedBy: [Blocker]
    }

    public struct Explanation: Codable, Hashable, Sendable {
        public var summary: String
        public var nearMisses: [NearMiss]
    }

    public var slots: [Slot]
    public var explanation: Explanation?

    public init(result: SlotSearchResult, query: SlotQuery) {
        slots = result.slots.map { slot in
            Slot(
                start: slot.interval.start, end: slot.interval.end, humaneScore: slot.humaneScore,
                local: query.participants.map { participant in
                    let zone = participant.timeZone
                    return LocalTime(
                        participant: participant.id, timeZone: zone.identifier,
                        start: ISO8601.format(slot.interval.start, in: zone),
                        end: ISO8601.format(slot.interval.end, in: zone),
                        utcOffset: ISO8601.formatOffset(zone.utcOffset(at: slot.interval.start)))
                })
        }
        explanation = result.explanation.map { explanation in
            Explanation(
                summary: explanation.summary,
                nearMisses: explanation.nearMisses.map { miss in
                    NearMiss(
                        start: miss.slot.start, end: miss.slot.end,
                        blockedBy: miss.blockers.map {
                            Blocker(
                                participant: $0.participantID, reason: $0.reason, conflictStart: $0.conflict?.start, conflictEnd: $0.conflict?.end)
                        })
                })
        }
    }

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
