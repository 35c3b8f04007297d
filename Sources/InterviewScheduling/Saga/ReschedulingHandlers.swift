import CalendarProviders
import Events
import Foundation
import ICalendar
import SagaCore
import SagaEngine
import SchedulingCore

/// The steps of `sagas/interview-rescheduling.yaml`: a new slot in the recruiter's new
/// window, checked against each calendar now; every provider event moved; the candidate's
/// invitation re-issued with SEQUENCE+1; `interview.updated` with the old and new values.
/// A failure moves everything back.
extension InterviewSchedulingHandlers {
    static let previousSlotKey = "previousSlot"
    static let previousSequenceKey = "previousSequence"

    func registerRescheduling(in handlers: inout SagaHandlers) {
        handlers.action("reschedule.chooseSlot", requiresCompensation: false) { try await self.chooseNewSlot($0) }
        handlers.action("reschedule.moveCalendarEvents", requiresCompensation: true) { context in
            try await self.moveEvents(context, to: try InterviewPlan(data: context.data).slot())
            return StepOutcome()
        }
        handlers.compensation("reschedule.moveCalendarEventsBack") { context in
            try await self.moveEvents(context, to: try Self.previousSlot(context.data))
        }
        handlers.action("reschedule.reissueInvitation", requiresCompensation: true) { try await self.reissueInvitation($0) }
        handlers.compensation("reschedule.restoreInvitation") { try await self.restoreInvitation($0) }
        handlers.action("reschedule.announce", requiresCompensation: false) { try await self.announceUpdate($0) }
    }

    /// The best slot in the new window; the interview's own events are not a conflict.
    func chooseNewSlot(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let request = try plan.request()
        let previous = try Self.previousSlot(context.data)
        var busy: [String: [SlotRequest.TimeRange]] = [:]
        let query = try Self.permanent { try request.slotRequest(busy: [:]).validated(clock: Instant(context.now)) }
        for interviewer in request.interviewers {
            guard let account = calendars.account(for: interviewer.email) else { continue }
            let found = try await Self.providerCall { try await account.provider.busyTime(of: [interviewer.email], in: query.window) }
            busy[interviewer.email.lowercased()] = (found[interviewer.email]?.intervals ?? [])
                .flatMap { IntervalSet([$0]).subtracting(IntervalSet([previous])).intervals }
                .map { SlotRequest.TimeRange(start: ISO8601.format($0.start), end: ISO8601.format($0.end)) }
        }
        let found = busy
        var finder = try Self.permanent { try request.slotRequest(busy: found).validated(clock: Instant(context.now)) }
        finder.limit = 1
        let result = SlotFinder(query: finder).search()
        guard let slot = result.slots.first else {
            throw StepFailure(.permanent, "no slot fits everyone in the new window: \(result.explanation.map(\.summary) ?? "no candidates")")
        }
        return StepOutcome(dataPatch: [InterviewPlan.slotKey: InterviewPlan.slotValue(slot.interval)])
    }

    func moveEvents(_ context: StepContext, to slot: Interval) async throws {
        let plan = InterviewPlan(data: context.data)
        let request = try plan.request()
        for reference in try plan.bookings() {
            guard let provider = calendars.provider(named: reference.provider, calendar: reference.calendar) else {
                throw StepFailure(.permanent, "no \(reference.provider) account for \(reference.calendar)")
            }
            let zone = request.interviewers.first { $0.email.lowercased() == reference.calendar.lowercased() }?.timeZone ?? request.candidate.timeZone
            try await Self.providerCall { try await provider.updateEvent(reference, to: calendarEvent(request, slot: slot, zone: zone)) }
        }
    }

    func reissueInvitation(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let interviewID = context.data[InterviewPlan.interviewKey]?.stringValue ?? ""
        let sequence = Int(context.data[Self.previousSequenceKey]?.numberValue ?? 0) + 1
        try await storeInvitation(context, plan: plan, interviewID: interviewID, slot: try plan.slot(), sequence: sequence)
        return StepOutcome()
    }

    /// Puts the previous time back with yet another SEQUENCE, so calendars apply it.
    func restoreInvitation(_ context: StepContext) async throws {
        let plan = InterviewPlan(data: context.data)
        let interviewID = context.data[InterviewPlan.interviewKey]?.stringValue ?? ""
        let sequence = Int(context.data[Self.previousSequenceKey]?.numberValue ?? 0) + 2
        try await storeInvitation(context, plan: plan, interviewID: interviewID, slot: try Self.previousSlot(context.data), sequence: sequence)
    }

    private func storeInvitation(_ context: StepContext, plan: InterviewPlan, interviewID: String, slot: Interval, sequence: Int) async throws {
        let request = try plan.request()
        let ics = try Self.permanent {
            try invitationRequest(request, interviewID: interviewID, slot: slot, sequence: sequence, now: context.now).invitation(method: .request, now: Instant(context.now)).render()
        }
        try await interviews.reschedule(id: interviewID, start: slot.start.secondsSinceEpoch, end: slot.end.secondsSinceEpoch, sequence: sequence, invite: ics)
    }

    func announceUpdate(_ context: StepContext) async throws -> StepOutcome {
        let interviewID = context.data[InterviewPlan.interviewKey]?.stringValue ?? ""
        let old = try Self.previousSlot(context.data)
        let new = try InterviewPlan(data: context.data).slot()
        let updated = InterviewUpdated(interviewId: interviewID, changes: [
            "scheduledAt": .init(old: EventTimestamp.format(old.start), new: EventTimestamp.format(new.start)),
        ])
        return StepOutcome(messages: [
            try InterviewMessages.message(.interviewUpdated, id: "\(context.sagaID):interview.updated", key: interviewID, correlation: context.sagaID, data: updated, now: context.now),
        ])
    }

    static func previousSlot(_ data: SagaData) throws -> Interval {
        guard let slot = data[previousSlotKey], let start = slot["start"]?.stringValue.flatMap(ISO8601.instant),
              let end = slot["end"]?.stringValue.flatMap(ISO8601.instant)
        else { throw StepFailure(.permanent, "the saga has no previous slot") }
        return Interval(start: start, end: end)
    }
}
