import CalendarProviders
import Foundation
import SagaCore
import SagaEngine
package import SagaStore
import SchedulingCore

/// The steps of `candidate-erasure` (see `sagas/candidate-erasure.yaml`): wait until the
/// candidate's sagas have settled, remove the candidate from the database in one
/// transaction, take their name off the interviewers' calendars, then checkpoint the
/// database so the old bytes leave the write-ahead log too. Nothing is undone: an erasure
/// only goes forward, and a failed one is retried by an operator.
extension InterviewSchedulingHandlers {
    /// What interviewers' calendars say instead of the candidate's details.
    static var erasedTitle: String { "Interview" }
    static var erasedDescription: String { "The candidate's details were erased at their request (GDPR Art. 17)." }

    func registerErasure(in handlers: inout SQLiteSagaHandlers) {
        handlers.action("erasure.awaitSettledSagas", requiresCompensation: false) { context in
            let data = try context.data.typed(ErasureSagaData.self)
            let (waiting, mail) = try await store.read { db in
                let (requests, sagas) = try CandidateRecords.sagaIDs(ofCandidate: data.candidateId, in: db)
                return (try SagaStore.unsettled(sagas, in: db), try CandidateRecords.unsentMail(ofRequests: requests, in: db))
            }
            guard waiting.isEmpty else {
                throw StepFailure(
                    .transient, "waiting for \(waiting.count) saga(s) of the candidate to finish: \(waiting.prefix(5).joined(separator: ", "))")
            }
            // The cancellation the erasure made (or any other news) reaches the candidate first.
            guard mail == 0 else { throw StepFailure(.transient, "waiting for \(mail) e-mail(s) to the candidate to be sent") }
            return StepOutcome()
        }
        handlers.transactionalAction("erasure.eraseRecords", requiresCompensation: false) { context in
            let data = try context.data.typed(ErasureSagaData.self)
            let at = context.now
            return { db in
                let (requests, sagas) = try CandidateRecords.sagaIDs(ofCandidate: data.candidateId, in: db)
                guard try SagaStore.unsettled(sagas, in: db).isEmpty else {
                    throw StepFailure(.transient, "a saga of the candidate started again; waiting for it")
                }
                let redactions = try CandidateRecords.redactions(ofRequests: requests, in: db)
                let erasedSagas = try SagaStore.rewrite(
                    sagas: sagas, in: db, data: { value in redactions.reduce(value) { $1.json($0) } },
                    text: { text in redactions.reduce(text) { $1.text($0) } },
                    payload: { payload in redactions.reduce(payload) { $1.jsonText($0) } })
                let interviews = try CandidateRecords.erase(requests: requests, sagas: sagas, with: redactions, in: db)
                try InterviewRecords.append(
                    AuditEntry(
                        actor: data.requestedBy, action: "candidate.erasure", target: data.candidateId,
                        detail: "requests: \(requests.count), sagas: \(erasedSagas), interviews: \(interviews)", at: Int64(at.timeIntervalSince1970)),
                    in: db)
                var done = data
                done.sagasErased = erasedSagas
                done.interviewsErased = interviews
                return StepOutcome(dataPatch: try SagaData(encoding: done))
            }
        }
        handlers.action("erasure.eraseCalendarEvents", requiresCompensation: false) { context in
            var data = try context.data.typed(ErasureSagaData.self)
            let candidateID = data.candidateId
            let (live, others) = try await store.read { db in try CandidateRecords.calendarEvents(ofCandidate: candidateID, in: db) }
            var events = 0
            // Events of confirmed interviews stay, renamed; any other event the candidate's
            // requests made (cancelled, or left by a request stopped after booking) goes.
            var found = others
            for (requestID, interviewers) in try await store.read({ db in try CandidateRecords.interviewers(ofCandidate: candidateID, in: db) }) {
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
            return StepOutcome(dataPatch: try SagaData(encoding: data))
        }
        handlers.action("erasure.checkpoint", requiresCompensation: false) { _ in
            guard try await store.checkpoint() else {
                throw StepFailure(.transient, "readers kept the write-ahead log busy; the checkpoint is tried again")
            }
            return StepOutcome()
        }
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
