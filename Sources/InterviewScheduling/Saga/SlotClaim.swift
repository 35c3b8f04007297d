import CalendarProviders
import Foundation
import SagaCore
package import SchedulingCore

/// The search for a slot, over the calendars read before the transaction that claims it.
extension InterviewSagaHandlers {
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

    /// The claim of the best slot `query` finds for `holder`, with this service's default load.
    func slotClaim(_ query: SlotQuery, for request: SchedulingRequestBody, holder: ReservationHolder) -> SlotClaim {
        SlotClaim(query: query, request: request, holder: holder, defaultLoad: defaultLoad)
    }
}

/// Choosing a slot and claiming it for the panel as one serialised write: the ledger's
/// reservations and full days are busy time for the search, and the chosen slot is held for
/// every interviewer before anyone else can look. This is the part that knows no database: a
/// storage reads the ledger around `reach`, lets `choose` pick the slot and the claims, holds
/// them, and lets `check` judge what the ledger answered, all in one transaction.
package struct SlotClaim: Sendable {
    let query: SlotQuery
    let request: SchedulingRequestBody
    package let holder: ReservationHolder
    let defaultLoad: InterviewerLoad

    package init(query: SlotQuery, request: SchedulingRequestBody, holder: ReservationHolder, defaultLoad: InterviewerLoad = .unlimited) {
        self.query = query
        self.request = request
        self.holder = holder
        self.defaultLoad = defaultLoad
    }

    /// The panel, by lower-cased e-mail.
    package var interviewers: [String] { Array(panel.keys) }

    private var panel: [String: SchedulingRequestBody.Person] {
        Dictionary(request.interviewers.map { ($0.email.lowercased(), $0) }) { first, _ in first }
    }

    /// Where reservations count: the window and the weeks around it (daily and weekly caps).
    package var reach: Interval {
        Interval(start: query.window.start - .seconds(8 * 86_400), end: query.window.end + .seconds(8 * 86_400))
    }

    /// The best slot with `reservations` (of other interviews) and full days and weeks as busy
    /// time, and the claims that hold it for every interviewer.
    package func choose(around reservations: [TimeReservation]) throws -> (slot: Interval, claims: [TimeClaim]) {
        var query = query
        let interviewers = panel
        let reservations = reservations.filter { $0.interviewID != holder.interviewID }
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
        return (slot, claims)
    }

    /// Judges what the ledger answered to the claims: nothing in the way, or a failure.
    package func check(_ conflicts: [TimeReservation]) throws {
        guard conflicts.isEmpty else {
            // The search treated every reservation as busy; this means the ledger and the search disagree.
            throw StepFailure(
                .conflict, "the chosen slot overlaps \(conflicts.map { "\($0.interviewID) (\($0.interviewer))" }.joined(separator: ", "))")
        }
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
