/// Orders slots so that they sit near the middle of every participant's working day.
struct HumaneRanking {
    let availabilities: [ParticipantAvailability]

    func rank(_ slots: [Slot]) -> [Slot] {
        let scored = slots.map { slot -> (slot: Slot, worst: Double, mean: Double) in
            let distances = availabilities.compactMap { distanceFromMidday(of: slot.interval, for: $0) }
            let worst = distances.max() ?? 0
            let mean = distances.isEmpty ? 0 : distances.reduce(0, +) / Double(distances.count)
            return (Slot(interval: slot.interval, humaneScore: worst), worst, mean)
        }
        return scored.sorted {
            ($0.worst, $0.mean, $0.slot.interval.start.secondsSinceEpoch)
                < ($1.worst, $1.mean, $1.slot.interval.start.secondsSinceEpoch)
        }.map(\.slot)
    }

    /// 0 when the slot's middle is the working day's middle, 1 at the day's edge; nil for
    /// a participant without working hours.
    private func distanceFromMidday(of slot: Interval, for availability: ParticipantAvailability) -> Double? {
        guard let day = availability.workingDay(containing: slot.start) else { return nil }
        let slotMiddle = Double(slot.start.secondsSinceEpoch + slot.end.secondsSinceEpoch) / 2
        let dayMiddle = Double(day.span.start.secondsSinceEpoch + day.span.end.secondsSinceEpoch) / 2
        let halfDay = Double(day.span.duration.seconds) / 2
        guard halfDay > 0 else { return nil }
        return min(1, abs(slotMiddle - dayMiddle) / halfDay)
    }
}
