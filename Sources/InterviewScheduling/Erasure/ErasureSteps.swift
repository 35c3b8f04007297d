import CalendarProviders
import Foundation
import Logging
import Mail
import SagaCore
package import SagaEngine
import SagaStore
import SchedulingCore

/// The steps of `candidate-erasure` (see `sagas/candidate-erasure.yaml`): wait until the
/// candidate's sagas have settled, remove the candidate from the database in one
/// transaction, take their name off the interviewers' calendars, then make the old bytes
/// leave the database's files (`purgeErasedBytes`). Nothing is undone: an erasure only goes
/// forward, and a failed one is retried by an operator. Written once for either backend.
extension InterviewSagaHandlers where Storage: CandidateErasureStorage {
    /// What interviewers' calendars say instead of the candidate's details.
    static var erasedTitle: String { "Interview" }
    static var erasedDescription: String { "The candidate's details were erased at their request (GDPR Art. 17)." }

    /// Registers the erasure's handlers under the names its definition uses.
    package func registerErasure(in handlers: inout SagaHandlers<Storage.Decision>) {
        handlers.action("erasure.awaitSettledSagas", requiresCompensation: false) { context in
            let data = try context.data.typed(ErasureSagaData.self)
            let traces = try await storage.traces(ofCandidate: data.candidateId)
            let waiting = traces.unsettledSagas
            guard waiting.isEmpty else {
                throw StepFailure(
                    .transient, "waiting for \(waiting.count) saga(s) of the candidate to finish: \(waiting.prefix(5).joined(separator: ", "))")
            }
            // The cancellation the erasure made (or any other news) reaches the candidate first.
            guard traces.unsentMail == 0 else {
                throw StepFailure(.transient, "waiting for \(traces.unsentMail) e-mail(s) to the candidate to be sent")
            }
            return StepOutcome()
        }
        handlers.transactionalAction("erasure.eraseRecords", requiresCompensation: false) { context in
            let data = try context.data.typed(ErasureSagaData.self)
            let at = Int64(context.now.timeIntervalSince1970)
            return storage.decision(erasingCandidate: data.candidateId) { counts in
                var done = data
                done.sagasErased = counts.sagas
                done.interviewsErased = counts.interviews
                let audit = AuditEntry(
                    actor: data.requestedBy, action: "candidate.erasure", target: data.candidateId,
                    detail: "requests: \(counts.requests), sagas: \(counts.sagas), interviews: \(counts.interviews)", at: at)
                return (StepOutcome(dataPatch: try SagaData(encoding: done)), audit)
            }
        }
        handlers.action("erasure.eraseCalendarEvents", requiresCompensation: false) { context in
            var data = try context.data.typed(ErasureSagaData.self)
            let traces = try await storage.traces(ofCandidate: data.candidateId)
            let (live, others) = traces.calendarEvents
            var events = 0
            // Events of confirmed interviews stay, renamed; any other event the candidate's
            // requests made (cancelled, or left by a request stopped after booking) goes.
            var found = others
            for (requestID, interviewers) in traces.interviewers {
                for interviewer in interviewers {
                    let key = Self.bookingKey(requestID: requestID, interviewer: interviewer)
                    if let reference = calendars.account(for: interviewer)?.provider.reference(forIdempotencyKey: key, in: interviewer) {
                        found.insert(reference)
                    }
                }
            }
            for (reference, slot) in live {
                events += try await erase(reference) { provider in
                    try await provider.updateEvent(
                        reference,
                        to: CalendarEvent(
                            title: Self.erasedTitle, description: Self.erasedDescription, start: slot.start, end: slot.end, timeZone: "UTC",
                            attendees: [], location: ""))
                }
            }
            for reference in found.subtracting(live.map(\.0)).sorted(by: { $0.eventID < $1.eventID }) {
                events += try await erase(reference) { provider in try await provider.deleteEvent(reference) }
            }
            data.calendarEventsErased = events
            // Last, so that a mail directory this process may not write (a failure the
            // erasure's state then reports) holds up nothing else.
            try await removeMailCopies(ofRequests: traces.requests.map(\.id))
            return StepOutcome(dataPatch: try SagaData(encoding: data))
        }
        handlers.action("erasure.checkpoint", requiresCompensation: false) { _ in
            guard try await storage.purgeErasedBytes() else {
                throw StepFailure(.transient, "readers kept the write-ahead log busy; the checkpoint is tried again")
            }
            return StepOutcome()
        }
    }

    /// Deletes the copies of the e-mail of the candidate's requests that the mail transport
    /// kept (the `.eml` files of a mail directory): each holds their name, address and the
    /// invitation.
    private func removeMailCopies(ofRequests requestIDs: [String]) async throws {
        guard let mailTransport else { return }
        var removed = 0
        for requestID in requestIDs {
            // The Message-IDs of an interview's mail start with its id and a dot.
            removed += try await mailTransport.removeCopies(ofMessagesPrefixed: InterviewIDs.interview(forRequest: requestID) + ".")
        }
        if removed > 0 { logger.info("the candidate's e-mail files were removed", metadata: ["files": "\(removed)"]) }
    }

    /// One call on the event's provider; 1 if it was made, 0 if the event was gone already.
    private func erase(_ reference: ProviderEventReference, _ call: (any CalendarProvider) async throws -> Void) async throws -> Int {
        guard let provider = calendars.provider(named: reference.provider, calendar: reference.calendar) else {
            throw StepFailure(.permanent, "no \(reference.provider) account for \(reference.calendar) to erase \(reference.eventID)")
        }
        do {
            try await call(provider)
            return 1
        } catch let error as ProviderError where error.status == 404 || error.status == 410 {
            return 0  // someone removed it already: nothing left to erase there
        } catch {
            throw Self.stepFailure(error)
        }
    }
}
