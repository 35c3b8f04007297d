/// Why no slot fits: the candidate times that came closest, and who or what blocked them.
public struct NoSlotExplanation: Hashable, Sendable {
    /// What keeps one candidate time from working.
    public struct Blocker: Hashable, Sendable {
        public enum Reason: String, Hashable, Sendable, Codable, CaseIterable {
            /// Not entirely inside the participant's working hours.
            case outsideWorkingHours
            /// Overlaps the participant's busy time, buffers included.
            case busy
            /// Starts before now plus the minimum notice.
            case minimumNotice
            /// Not inside one of the candidate's preferred windows.
            case outsidePreferredWindows
        }

        /// The participant blocked; nil for rules that apply to everyone (notice, preferred windows).
        public let participantID: String?
        public let reason: Reason
        /// For `.busy`: the busy block that conflicts.
        public let conflict: Interval?

        public init(participantID: String?, reason: Reason, conflict: Interval?) {
            self.participantID = participantID
            self.reason = reason
            self.conflict = conflict
        }
    }

    /// A candidate time and everything that blocks it.
    public struct NearMiss: Hashable, Sendable {
        public let slot: Interval
        public let blockers: [Blocker]
    }

    /// One sentence for a person.
    public let summary: String
    /// The closest candidates: fewest blockers first, then earliest.
    public let nearMisses: [NearMiss]

    /// How many near-misses are reported.
    static let nearMissCount = 5
    /// At most this many grid points are examined; longer searches thin the grid evenly.
    static let candidateBudget: Int64 = 20_000

    init(query: SlotQuery, availabilities: [ParticipantAvailability], gridOffsets: ZoneTimeline) {
        let latestStart = query.window.end - query.duration
        guard query.window.start <= latestStart else {
            summary = "The \(query.duration.minutes)-minute meeting is longer than the search window."
            nearMisses = []
            return
        }
        var examiner = CandidateExaminer(query: query, availabilities: availabilities)
        let stepSeconds = query.grid.stepSeconds, duration = query.duration.seconds
        let gridPoints = (latestStart - query.window.start).seconds / stepSeconds + 1
        let stride = stepSeconds * max(1, (gridPoints + Self.candidateBudget - 1) / Self.candidateBudget)

        var closest: [NearMiss] = []
        var start = query.grid.firstStart(atOrAfter: query.window.start, offsets: gridOffsets)
        while start <= latestStart {
            let slot = Interval(start: start, end: start.advanced(bySeconds: duration))
            let count = examiner.examine(slot)
            if closest.count < Self.nearMissCount || count < (closest.last?.blockers.count ?? .max) {
                let miss = NearMiss(slot: slot, blockers: examiner.blockersOfLastExamined())
                let index = closest.firstIndex { $0.blockers.count > count } ?? closest.endIndex
                closest.insert(miss, at: index)
                if closest.count > Self.nearMissCount { closest.removeLast() }
            }
            start = query.grid.firstStart(atOrAfter: start.advanced(bySeconds: stride), offsets: gridOffsets)
        }
        nearMisses = closest
        let commonest = examiner.commonestBlockers(3).map { "\($0.label) (\($0.count) times)" }.joined(separator: ", ")
        summary =
            "No \(query.duration.minutes)-minute slot fits all \(query.participants.count) participants "
            + "between \(query.window.start) and \(query.window.end)."
            + (commonest.isEmpty ? "" : " Most frequent blockers: \(commonest).")
    }
}

/// Checks candidate slots in time order against every rule, tallying who blocks how often.
private struct CandidateExaminer {
    let ids: [String]
    let earliestByNotice: Instant
    let bufferBefore: Int64, bufferAfter: Int64
    var working: [IntervalCursor]
    var busy: [IntervalCursor]
    var preferred: IntervalCursor?
    /// The blocking reason per participant for the last slot examined (nil when free).
    var lastReasons: [NoSlotExplanation.Blocker.Reason?]
    var lastConflicts: [Interval?]
    var lastGlobal: [NoSlotExplanation.Blocker.Reason] = []
    /// Counts per participant (outside working hours, busy), then notice and preferred windows.
    var tally: [Int]

    init(query: SlotQuery, availabilities: [ParticipantAvailability]) {
        ids = availabilities.map(\.participant.id)
        earliestByNotice = query.now + query.minimumNotice
        bufferBefore = query.bufferBefore.seconds
        bufferAfter = query.bufferAfter.seconds
        working = availabilities.map { IntervalCursor($0.working) }
        busy = availabilities.map { IntervalCursor($0.participant.busy) }
        preferred = query.preferredWindows.map(IntervalCursor.init)
        lastReasons = Array(repeating: nil, count: ids.count)
        lastConflicts = Array(repeating: nil, count: ids.count)
        tally = Array(repeating: 0, count: ids.count * 2 + 2)
    }

    /// Records what blocks `slot` and returns how many blockers there are.
    mutating func examine(_ slot: Interval) -> Int {
        lastGlobal.removeAll(keepingCapacity: true)
        if slot.start < earliestByNotice {
            lastGlobal.append(.minimumNotice)
            tally[ids.count * 2] += 1
        }
        if preferred?.contains(slot) == false {
            lastGlobal.append(.outsidePreferredWindows)
            tally[ids.count * 2 + 1] += 1
        }
        var count = lastGlobal.count
        // Busy blocks are probed with the slot widened by the buffers; its start is
        // non-decreasing too, so the cursor stays valid.
        let buffered = slot.widened(beforeSeconds: bufferBefore, afterSeconds: bufferAfter)
        for index in ids.indices {
            lastConflicts[index] = nil
            if !working[index].contains(slot) {
                lastReasons[index] = .outsideWorkingHours
                tally[index * 2] += 1
                count += 1
            } else if let conflict = busy[index].firstOverlap(with: buffered) {
                lastReasons[index] = .busy
                lastConflicts[index] = conflict
                tally[index * 2 + 1] += 1
                count += 1
            } else {
                lastReasons[index] = nil
            }
        }
        return count
    }

    func blockersOfLastExamined() -> [NoSlotExplanation.Blocker] {
        lastGlobal.map { NoSlotExplanation.Blocker(participantID: nil, reason: $0, conflict: nil) }
            + ids.indices.compactMap { index in
                lastReasons[index].map { NoSlotExplanation.Blocker(participantID: ids[index], reason: $0, conflict: lastConflicts[index]) }
            }
    }

    func commonestBlockers(_ count: Int) -> [(label: String, count: Int)] {
        var entries: [(label: String, count: Int)] = []
        for (index, id) in ids.enumerated() {
            entries.append(("\(id) outside working hours", tally[index * 2]))
            entries.append(("\(id) busy", tally[index * 2 + 1]))
        }
        entries.append(("minimum notice", tally[ids.count * 2]))
        entries.append(("outside the candidate's preferred windows", tally[ids.count * 2 + 1]))
        return Array(entries.filter { $0.count > 0 }.sorted { ($1.count, $0.label) < ($0.count, $1.label) }.prefix(count))
    }
}
