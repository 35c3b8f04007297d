/// One participant's time, resolved for a query: working days, and the free time left
/// once busy blocks (widened by the buffers) are taken out.
struct ParticipantAvailability: Sendable {
    let participant: Participant
    /// Resolved working days in ascending date order; empty when the participant has no
    /// working-hours constraint.
    let workingDays: [WorkingDay]
    /// Where the participant works; the whole window when unconstrained.
    let working: IntervalSet
    /// Where a slot may lie as far as this participant is concerned.
    let free: IntervalSet

    init(_ participant: Participant, for query: SlotQuery) {
        self.participant = participant
        if let hours = participant.workingHours {
            workingDays = hours.workingDays(in: ZoneTimeline(zone: participant.timeZone, covering: query.window), covering: query.window)
            working = IntervalSet(workingDays.flatMap(\.blocks))
        } else {
            workingDays = []
            working = IntervalSet(query.window)
        }
        // A slot must start `bufferBefore` after a meeting ends and end `bufferAfter`
        // before the next begins: widen each busy block by the opposite buffer.
        let blocked = participant.busy.widened(beforeSeconds: query.bufferAfter.seconds, afterSeconds: query.bufferBefore.seconds)
        free = working.subtracting(blocked)
    }

    /// The working day whose span holds `instant`, found by binary search.
    func workingDay(containing instant: Instant) -> WorkingDay? {
        var low = 0, high = workingDays.count
        while low < high {
            let mid = (low + high) / 2
            if workingDays[mid].span.start <= instant { low = mid + 1 } else { high = mid }
        }
        // Night shifts can make spans overlap: look back over the few candidates.
        var index = low - 1
        while index >= 0, index >= low - 2 {
            if workingDays[index].span.contains(instant) { return workingDays[index] }
            index -= 1
        }
        return nil
    }
}
