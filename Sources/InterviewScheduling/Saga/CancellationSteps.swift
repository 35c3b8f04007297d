import CalendarProviders
import Events
import Foundation
import ICalendar
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore

/// The undo of a booking, shared by the scheduling saga's compensations and the steps of
/// `sagas/interview-cancellation.yaml` (a recruiter's cancel runs them as actions).
extension InterviewSchedulingHandlers {
    func registerCancellation(in handlers: inout SagaHandlers) {
        handlers.action("cancellation.releaseCalendars", requiresCompensation: false) { context in
            let data = try context.data.typed(CancellationSagaData.self)
            try await self.release(data.bookings, of: data.request, bookedBy: data.requestId)
            return StepOutcome()
        }
        handlers.action("cancellation.withdrawInvitation", requiresCompensation: false) { context in
            let data = try context.data.typed(CancellationSagaData.self)
            let withdrawn = try await self.withdrawInvitation(
                context, request: data.request, requestID: data.requestId, reason: data.cancelReason, by: data.cancelledBy)
            return StepOutcome(messages: withdrawn)
        }
    }

    /// Cancels every booked event. When the booking step failed after temporary errors and
    /// stored no references (`bookings` nil), the events its attempts left are found again by
    /// their keys where the provider derives event ids from keys (Google, local); Graph's are not.
    func release(_ bookings: [ProviderEventReference]?, of request: SchedulingRequestBody, bookedBy requestID: String) async throws {
        var references = bookings ?? []
        if bookings == nil {
            for interviewer in request.interviewers {
                let key = Self.bookingKey(requestID: requestID, interviewer: interviewer.email)
                if let reference = calendars.account(for: interviewer.email)?.provider.reference(forIdempotencyKey: key, in: interviewer.email) {
                    references.append(reference)
                }
            }
        }
        for reference in references {
            guard let provider = calendars.provider(named: reference.provider, calendar: reference.calendar) else {
                throw StepFailure(.permanent, "no \(reference.provider) account for \(reference.calendar) to cancel \(reference.eventID)")
            }
            try await Self.providerCall { try await provider.cancelEvent(reference, comment: "This interview has been cancelled.") }
        }
    }

    /// Marks the interview cancelled with a METHOD:CANCEL for the candidate, and returns
    /// `interview.cancelled`, which the engine stores with the step's result. A repeat after a
    /// crash finds the interview cancelled and returns the same message (its id is fixed).
    func withdrawInvitation(
        _ context: StepContext, request: SchedulingRequestBody, requestID: String, reason: InterviewCancelled.Reason, by actor: String
    ) async throws -> [OutboxMessage] {
        let interviewID = InterviewIDs.interview(forRequest: requestID)
        guard let interview = try await store.read({ db in try InterviewRecords.interview(id: interviewID, in: db) }) else { return [] }
        if interview.status != .cancelled {
            let cancel = try invitation(
                .cancel, request, interviewID: interviewID, slot: interview.slot, sequence: interview.sequence + 1, now: context.now)
            try await store.write { db in try InterviewRecords.cancel(id: interviewID, cancelInvite: cancel, in: db) }
        }
        let cancelled = InterviewCancelled(
            interviewId: interviewID, cancelledBy: actor, reason: reason, cancellationTime: EventTimestamp.format(context.now))
        return [
            try InterviewMessages.message(
                .interviewCancelled, id: "\(context.sagaID):interview.cancelled", key: interviewID, correlation: requestID, data: cancelled,
                now: context.now)
        ]
    }
}
