import CalendarProviders
import Foundation
import GRDB
import SagaCore
import SchedulingCore

/// Choosing a slot and claiming it for the panel as one serialised write: the ledger's
/// reservations and full days are busy time for the search, and the chosen slot is held for
/// every interviewer before anyone else can look. The calendars are read before, outside the
/// transaction.
extension InterviewSchedulingHandlers {
    /// The search for `request` over the busy time the calendar service `reported` and each
    /// interviewer's calendar as their account shows it now, less `own`: the interview's own
    /// events, when it is being moved.
    func slotQuery(
        for request: SchedulingRequestBody, reported: [String: [SlotRequest.TimeRange]], ignoring own: Interval?, now: Date
    ) async throws
        -> SlotQuery
    {
        var query = try Self.permanent { try request.slotRequest(busy: reported).validated(clock: Instant(now)) }
        let current = try await currentBusyTime(request.interviewers.map(\.email), in: query.window)
        query.participants = query.participants.map { participant in
            guard let intervals = current[participant.id.lowercased()] else { return participant }
            let calendar = own.map { IntervalSet(intervals).subtracting(IntervalSet([$0])) } ?? IntervalSet(intervals)
            return participant.adding(busy: calendar)
        }
        query.limit = 1
        return query
    }

    /// Finds the best slot with the ledger's reservations (of other interviews) and full days
    /// and weeks as busy time, and holds it for every interviewer. Runs inside the write
    /// transaction that stores the saga's next state.
    func claimSlot(_ query: SlotQuery, for request: SchedulingRequestBody, holder: ReservationHolder, in db: Database) throws -> Interval {
        var query = query
        let interviewers = Dictionary(request.interviewers.map { ($0.email.lowercased(), $0) }) { first, _ in first }
        let reach = Interval(start: query.window.start - .seconds(8 * 86_400), end: query.window.end + .seconds(8 * 86_400))
        let reservations = try ledger.reservations(of: Array(interviewers.keys), overlapping: reach, in: db).filter {
            $0.interviewID != holder.interviewID
        }
        var commitments: [String: InterviewerCommitments] = [:]
        query.participants = query.participants.map { participant in
            let email = participant.id.lowercased()
            guard let person = interviewers[email] else { return participant }
            let mine = InterviewerCommitments(
                reservations: reservations.filter { $0.interviewer == email }, load: defaultLoad.overriding(with: person), zone: participant.timeZone)
            commitments[email] = mine
            return participant.adding(busy: IntervalSet(mine.busy + mine.closures.map(\.1)))
        }
        let result = SlotFinder(query: query).search()
        guard let slot = result.slots.first?.interval else {
            let ledger = Self.explain(reservations, commitments, in: query.window)
            throw StepFailure(.permanent, "no slot fits everyone: \(result.explanation.map(\.summary) ?? "no candidates")" + ledger)
        }
        let claims = interviewers.keys.sorted().map {
            TimeClaim(
                interviewer: $0, interval: Interval(start: slot.start - query.bufferBefore, end: slot.end + query.bufferAfter), slotStart: slot.start)
        }
        let conflicts = try ledger.hold(claims, for: holder, in: db)
        guard conflicts.isEmpty else {
            // The search treated every reservation as busy; this means the ledger and the search disagree.
            throw StepFailure(
                .conflict, "the chosen slot overlaps \(conflicts.map { "\($0.interviewID) (\($0.interviewer))" }.joined(separator: ", "))")
        }
        return slot
    }

    /// What the ledger adds to "why no slot": other interviews' time in the window, and full days and weeks.
    static func explain(_ reservations: [TimeReservation], _ commitments: [String: InterviewerCommitments], in window: Interval) -> String {
        var parts: [String] = []
        for interviewer in commitments.keys.sorted() {
            let inWindow = reservations.filter { $0.interviewer == interviewer && $0.interval.overlaps(window) }
            if !inWindow.isEmpty {
                let examples = inWindow.prefix(3).map { "\($0.kind.rawValue) by interview \($0.interviewID) at \(ISO8601.format($0.slotStart))" }
                parts.append(
                    "\(interviewer) has \(inWindow.count) interview(s) in the window (\(examples.joined(separator: ", "))\(inWindow.count > 3 ? ", …" : ""))"
                )
            }
            for (closure, span) in commitments[interviewer]?.closures ?? [] where span.overlaps(window) {
                switch closure {
                case .dailyCapReached(let day, let count): parts.append("dailyCapReached: \(interviewer) has \(count) on \(day)")
                case .weeklyCapReached(let monday, let count): parts.append("weeklyCapReached: \(interviewer) has \(count) in the week of \(monday)")
                }
            }
        }
        return parts.isEmpty ? "" : "; the ledger: " + parts.joined(separator: "; ")
    }
}

extension Participant {
    /// The participant with more busy time.
    func adding(busy more: IntervalSet) -> Participant {
        Participant(id: id, role: role, timeZone: timeZone, workingHours: workingHours, busy: busy.union(more))
    }
}
