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
extension InterviewSagaHandlers {
    func registerCancellation(in handlers: inout SagaHandlers<Storage.Decision>) {
        handlers.action("cancellation.releaseCalendars", requiresCompensation: false) { context in
            let data = try context.data.typed(CancellationSagaData.self)
            try await self.release(data.bookings, of: data.request, bookedBy: data.requestId)
            return StepOutcome()
        }
        handlers.transactionalAction("cancellation.withdrawInvitation", requiresCompensation: false) { context in
            let data = try context.data.typed(CancellationSagaData.self)
            let withdrawal = try await self.withdrawal(
                context, request: data.request, requestID: data.requestId, reason: data.cancelReason, by: data.cancelledBy)
            return self.storage.decision(writing: withdrawal?.writes ?? [], then: StepOutcome(messages: withdrawal?.messages ?? []))
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

    /// What withdrawing the candidate's invitation writes and announces: the interview marked
    /// cancelled with its METHOD:CANCEL (unless it is already), and `interview.cancelled`,
    /// whose id is fixed so a repeat after a crash announces it once.
    struct Withdrawal: Sendable {
        var interviewID: String
        /// The CANCEL to store, and the e-mail that carries it; nil when the interview is
        /// cancelled already.
        var cancel: (invite: String, mail: CandidateMail)?
        var messages: [OutboxMessage]
        var now: Date

        /// The interview cancelled and the CANCEL queued for the candidate; nothing when it is
        /// cancelled already.
        var writes: [InterviewWrite] {
            guard let cancel else { return [] }
            return [.cancel(interviewID: interviewID, cancelInvite: cancel.invite), .queueMail(cancel.mail, at: now)]
        }
    }

    /// The withdrawal of the request's invitation; nil when no invitation was issued.
    func withdrawal(
        _ context: StepContext, request: SchedulingRequestBody, requestID: String, reason: InterviewCancelled.Reason, by actor: String
    ) async throws -> Withdrawal? {
        let interviewID = InterviewIDs.interview(forRequest: requestID)
        guard let interview = try await storage.interview(id: interviewID) else { return nil }
        var cancel: (invite: String, mail: CandidateMail)?
        if interview.status != .cancelled {
            let sequence = interview.sequence + 1
            let ics = try invitation(.cancel, request, interviewID: interviewID, slot: interview.slot, sequence: sequence, now: context.now)
            let mail = try await candidateMail(
                .cancel, request, interviewID: interviewID, slot: interview.slot, sequence: sequence, calendar: ics, now: context.now)
            cancel = (ics, mail)
        }
        let cancelled = InterviewCancelled(
            interviewId: interviewID, cancelledBy: actor, reason: reason, cancellationTime: EventTimestamp.format(context.now))
        let message = try InterviewMessages.message(
            .interviewCancelled, id: "\(context.sagaID):interview.cancelled", key: interviewID, correlation: requestID, data: cancelled,
            now: context.now)
        return Withdrawal(interviewID: interviewID, cancel: cancel, messages: [message], now: context.now)
    }

    /// As an undo step of the scheduling saga: the interview is marked in its own write, and
    /// the message returned to be stored with the undo's result (a repeat finds it marked).
    func withdrawInvitation(
        _ context: StepContext, request: SchedulingRequestBody, requestID: String, reason: InterviewCancelled.Reason, by actor: String
    ) async throws -> [OutboxMessage] {
        guard let withdrawal = try await withdrawal(context, request: request, requestID: requestID, reason: reason, by: actor) else { return [] }
        try await storage.write(withdrawal.writes)
        return withdrawal.messages
    }
}
