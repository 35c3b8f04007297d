import Events
import SchedulingCore

/// The calendar service's answers gathered so far: one aggregated reply covers the whole
/// panel; otherwise one reply per interviewer. Unavailable windows and conflicts are busy time.
package struct AvailabilityReplies: Codable, Hashable, Sendable {
    /// Interviewers (lower-cased e-mail) who answered.
    var answered: Set<String> = []
    var busy: [String: [SlotRequest.TimeRange]] = [:]
    /// Busy time from aggregated replies, which applies to every interviewer.
    var panelBusy: [SlotRequest.TimeRange] = []
    var panelAnswered = false

    mutating func add(_ reply: SchedulingAvailability) {
        let intervals =
            reply.conflicts.map { SlotRequest.TimeRange(start: $0.start, end: $0.end) }
            + reply.availability.filter { !$0.available }.map { SlotRequest.TimeRange(start: $0.start, end: $0.end) }
        if let interviewer = reply.interviewerId?.lowercased() {
            answered.insert(interviewer)
            busy[interviewer, default: []].append(contentsOf: intervals)
        } else {
            panelAnswered = true
            panelBusy.append(contentsOf: intervals)
        }
    }

    func missing(from interviewers: [String]) -> [String] {
        panelAnswered ? [] : interviewers.filter { !answered.contains($0.lowercased()) }
    }

    /// Each interviewer's busy time, by lower-cased e-mail.
    func busyByInterviewer(_ interviewers: [String]) -> [String: [SlotRequest.TimeRange]] {
        Dictionary(uniqueKeysWithValues: interviewers.map { ($0.lowercased(), (busy[$0.lowercased()] ?? []) + panelBusy) })
    }
}
