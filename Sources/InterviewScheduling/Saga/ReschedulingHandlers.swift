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
    /// The data an `interview-rescheduling` saga starts with: the request with its new
    /// window, and where the interview is now.
    public static func reschedulingData(of interview: InterviewStore.Interview, request: SchedulingRequestBody) throws -> SagaData {
        [
            InterviewPlan.requestKey: try .encoding(request), InterviewPlan.ownerKey: .string(interview.owner), "requestId": .string(interview.requestID),
            InterviewPlan.interviewKey: .string(interview.id),
            InterviewPlan.bookingsKey: try JSONDecoder().decode(JSONValue.self, from: Data(interview.bookings.utf8)),
            InterviewPlan.previousSlotKey: InterviewPlan.slotValue(Interval(start: Instant(secondsSinceEpoch: interview.start), end: Instant(secondsSinceEpoch: interview.end))),
            InterviewPlan.previousSequenceKey: .number(Double(interview.sequence)),
        ]
    }

    func registerRescheduling(in handlers: inout SagaHandlers) {
        handlers.action("reschedule.chooseSlot", requiresCompensation: false) { try await self.chooseNewSlot($0) }
        handlers.action("reschedule.moveCalendarEvents", requiresCompensation: true) { context in
            try await self.moveEvents(context, to: try InterviewPlan(data: context.data).slot())
            return StepOutcome()
        }
        handlers.compensation("reschedule.moveCalendarEventsBack") { context in
            try await self.moveEvents(context, to: try InterviewPlan(data: context.data).previousSlot())
        }
        handlers.action("reschedule.reissueInvitation", requiresCompensation: true) { try await self.reissueInvitation($0) }
        handlers.compensation("reschedule.restoreInvitation") { try await self.restoreInvitation($0) }
        handlers.action("reschedule.announce", requiresCompensation: false) { try await self.announceUpdate($0) }
    }

    /// The best slot in the new window; the interview's own events are not a conflict.
    func chooseNewSlot(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let slot = try await bestSlot(for: try plan.request(), reported: [:], ignoring: try plan.previousSlot(), now: context.now)
        return StepOutcome(dataPatch: [InterviewPlan.slotKey: InterviewPlan.slotValue(slot)])
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
        let sequence = plan.previousSequence + 1
        try await storeInvitation(context, plan: plan, interviewID: interviewID, slot: try plan.slot(), sequence: sequence)
        return StepOutcome()
    }

    /// Puts the previous time back with yet another SEQUENCE, so calendars apply it.
    func restoreInvitation(_ context: StepContext) async throws {
        let plan = InterviewPlan(data: context.data)
        let interviewID = context.data[InterviewPlan.interviewKey]?.stringValue ?? ""
        let sequence = plan.previousSequence + 2
        try await storeInvitation(context, plan: plan, interviewID: interviewID, slot: try plan.previousSlot(), sequence: sequence)
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
        let old = try InterviewPlan(data: context.data).previousSlot()
        let new = try InterviewPlan(data: context.data).slot()
        let updated = InterviewUpdated(interviewId: interviewID, changes: [
            "scheduledAt": .init(old: EventTimestamp.format(old.start), new: EventTimestamp.format(new.start)),
        ])
        return StepOutcome(messages: [
            try InterviewMessages.message(.interviewUpdated, id: "\(context.sagaID):interview.updated", key: interviewID, correlation: context.sagaID, data: updated, now: context.now),
        ])
    }
}
