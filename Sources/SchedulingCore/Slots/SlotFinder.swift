/// A meeting time that fits every participant.
public struct Slot: Hashable, Sendable {
    public let interval: Interval
    /// With `.humane` ranking: how far the worst-placed participant is from the middle of
    /// their working day, 0 (midday) to 1 (the day's edge). Nil with `.earliest`.
    public let humaneScore: Double?
}

/// What a search found: ranked slots, or when there are none, why.
public struct SlotSearchResult: Sendable {
    public let slots: [Slot]
    /// Present exactly when `slots` is empty.
    public let explanation: NoSlotExplanation?
}

/// Finds the meeting times that fit every participant's working hours, busy time,
/// buffers, the minimum notice and the candidate's preferred windows.
///
/// Each participant's free time is an `IntervalSet` (working blocks minus widened busy
/// blocks); the sets are intersected by linear merges and the result is walked along the
/// slot grid, so the cost is O(n log n) in the number of intervals, independent of the
/// clock resolution.
public struct SlotFinder: Sendable {
    public let query: SlotQuery

    public init(query: SlotQuery) {
        self.query = query
    }

    public func search() -> SlotSearchResult {
        let availabilities = query.participants.map { ParticipantAvailability($0, for: query) }
        let gridOffsets = ZoneTimeline(zone: query.grid.zone, covering: query.window)
        let common = commonFreeTime(of: availabilities)
        var slots = slotStarts(in: common, gridOffsets: gridOffsets).map {
            Slot(interval: Interval(start: $0, duration: query.duration), humaneScore: nil)
        }
        if query.ranking == .humane {
            slots = HumaneRanking(availabilities: availabilities).rank(slots)
        }
        if let limit = query.limit, slots.count > limit {
            slots.removeSubrange(limit...)
        }
        let explanation =
            slots.isEmpty
            ? NoSlotExplanation(query: query, availabilities: availabilities, gridOffsets: gridOffsets) : nil
        return SlotSearchResult(slots: slots, explanation: explanation)
    }

    /// The instants where a slot may lie for everybody at once.
    func commonFreeTime(of availabilities: [ParticipantAvailability]) -> IntervalSet {
        let earliest = query.earliestStart
        guard earliest < query.window.end else { return .empty }
        var common = IntervalSet(Interval(start: earliest, end: query.window.end))
        if let preferred = query.preferredWindows {
            common = common.intersection(preferred)
        }
        // Smallest sets first keeps every merge short.
        for availability in availabilities.sorted(by: { $0.free.intervals.count < $1.free.intervals.count }) {
            if common.isEmpty { break }
            common = common.intersection(availability.free)
        }
        return common
    }

    /// Grid instants at which a whole meeting fits inside `free`, in ascending order.
    func slotStarts(in free: IntervalSet, gridOffsets: ZoneTimeline) -> [Instant] {
        let duration = query.duration.seconds
        var starts: [Instant] = []
        for interval in free.intervals {
            var start = query.grid.firstStart(atOrAfter: interval.start, offsets: gridOffsets)
            while start.advanced(bySeconds: duration) <= interval.end {
                starts.append(start)
                start = query.grid.firstStart(atOrAfter: start.advanced(bySeconds: 1), offsets: gridOffsets)
            }
        }
        return starts
    }
}
