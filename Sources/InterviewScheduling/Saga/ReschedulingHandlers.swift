import CalendarProviders
import Events
import Foundation
import ICalendar
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore

/// The steps of `sagas/interview-rescheduling.yaml`: a new slot in the recruiter's new
/// window, checked against each calendar now; every provider event moved; the candidate's
/// invitation re-issued with SEQUENCE+1; `interview.updated` with the old and new values.
/// A failure moves everything back.
extension InterviewSagaHandlers {
    func registerRescheduling(in handlers: inout SagaHandlers<Storage.Decision>) {
        handlers.transactionalAction("reschedule.chooseSlot", requiresCompensation: false) { context in
            try await self.chooseNewSlot(context, try context.data.typed(ReschedulingSagaData.self))
        }
        handlers.action("reschedule.moveCalendarEvents", requiresCompensation: true) { context in
            let data = try context.data.typed(ReschedulingSagaData.self)
            try await self.moveEvents(data, to: try Self.newSlot(data))
            return StepOutcome()
        }
        handlers.compensation("reschedule.moveCalendarEventsBack") { context in
            let data = try context.data.typed(ReschedulingSagaData.self)
            try await self.moveEvents(data, to: data.previousSlot.interval)
        }
        handlers.transactionalAction("reschedule.reissueInvitation", requiresCompensation: true) { context in
            let data = try context.data.typed(ReschedulingSagaData.self)
            let slot = try Self.newSlot(data), sequence = data.previousSequence + 1
            let (ics, mail) = try await self.reissue(context, data, slot: slot, sequence: sequence)
            return self.storage.decision(
                writing: [.move(interviewID: data.interviewId, slot: slot, sequence: sequence, invite: ics), .queueMail(mail, at: context.now)],
                then: StepOutcome())
        }
        // Puts the previous time back with yet another SEQUENCE, so calendars apply it.
        handlers.compensation("reschedule.restoreInvitation") { context in
            let data = try context.data.typed(ReschedulingSagaData.self)
            try await self.storeInvitation(context, data, slot: data.previousSlot.interval, sequence: data.previousSequence + 2)
        }
        handlers.action("reschedule.announce", requiresCompensation: false) { context in
            try self.announceUpdate(context, try context.data.typed(ReschedulingSagaData.self))
        }
    }

    static func newSlot(_ data: ReschedulingSagaData) throws -> Interval {
        guard let slot = data.slot?.interval else { throw StepFailure(.permanent, "the saga has no chosen slot") }
        return slot
    }

    /// The best slot in the new window, held for the panel; the interview's own events and
    /// reservations are not a conflict. Its current time stays booked until the move is
    /// confirmed, then both change in one transaction.
    func chooseNewSlot(_ context: StepContext, _ data: ReschedulingSagaData) async throws -> Storage.Decision {
        let query = try await slotQuery(for: data.request, reported: [:], ignoring: data.previousSlot.interval, now: context.now)
        let holder = ReservationHolder(sagaID: context.sagaID, interviewID: data.interviewId)
        return storage.decision(claiming: slotClaim(query, for: data.request, holder: holder)) { slot in
            var data = data
            data.slot = SlotTimes(slot)
            return StepOutcome(dataPatch: try SagaData(encoding: data))
        }
    }

    func moveEvents(_ data: ReschedulingSagaData, to slot: Interval) async throws {
        for reference in data.bookings {
            guard let provider = calendars.provider(named: reference.provider, calendar: reference.calendar) else {
                throw StepFailure(.permanent, "no \(reference.provider) account for \(reference.calendar)")
            }
            let zone =
                data.request.interviewers.first { $0.email.lowercased() == reference.calendar.lowercased() }?.timeZone
                ?? data.request.candidate.timeZone
            try await Self.providerCall { try await provider.updateEvent(reference, to: calendarEvent(data.request, slot: slot, zone: zone)) }
        }
    }

    func storeInvitation(_ context: StepContext, _ data: ReschedulingSagaData, slot: Interval, sequence: Int) async throws {
        let (ics, mail) = try await reissue(context, data, slot: slot, sequence: sequence)
        try await storage.write([
            .move(interviewID: data.interviewId, slot: slot, sequence: sequence, invite: ics), .queueMail(mail, at: context.now),
        ])
    }

    /// The invitation for `slot` at `sequence`, and the e-mail that carries it to the candidate.
    func reissue(_ context: StepContext, _ data: ReschedulingSagaData, slot: Interval, sequence: Int) async throws -> (String, CandidateMail) {
        let ics = try invitation(.request, data.request, interviewID: data.interviewId, slot: slot, sequence: sequence, now: context.now)
        let mail = try await candidateMail(
            .request, data.request, interviewID: data.interviewId, slot: slot, sequence: sequence, calendar: ics, now: context.now)
        return (ics, mail)
    }

    func announceUpdate(_ context: StepContext, _ data: ReschedulingSagaData) throws -> StepOutcome {
        let new = try Self.newSlot(data)
        let updated = InterviewUpdated(
            interviewId: data.interviewId,
            changes: [
                "scheduledAt": .init(old: EventTimestamp.format(data.previousSlot.interval.start), new: EventTimestamp.format(new.start))
            ])
        return StepOutcome(messages: [
            try InterviewMessages.message(
                .interviewUpdated, id: "\(context.sagaID):interview.updated", key: data.interviewId, correlation: context.sagaID, data: updated,
                now: context.now)
        ])
    }
}
