import CalendarProviders
import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore

/// The steps of `candidate-erasure` (see `sagas/candidate-erasure.yaml`): wait until the
/// candidate's sagas have settled, remove the candidate from the database in one
/// transaction, take their name off the interviewers' calendars, then checkpoint the
/// database so the old bytes leave the write-ahead log too. Nothing is undone: an erasure
/// only goes forward, and a failed one is retried by an operator.
extension InterviewSchedulingHandlers {
    /// What interviewers' calendars say instead of the candidate's details.
    static let erasedTitle = "Interview"
    static let erasedDescription = "The candidate's details were erased at their request (GDPR Art. 17)."

    func registerErasure(in handlers: inout SagaHandlers) {
        handlers.action("erasure.awaitSettledSagas", requiresCompensation: false) { context in
            let data = try context.data.typed(ErasureSagaData.self)
            let waiting = try await store.read { db in
                try SagaStore.unsettled(try CandidateRecords.sagaIDs(ofCandidate: data.candidateId, in: db).sagas, in: db)
            }
            guard waiting.isEmpty else {
                throw StepFailure(
                    .transient, "waiting for \(waiting.count) saga(s) of the candidate to finish: \(waiting.prefix(5).joined(separator: ", "))")
            }
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
            let interviews = try await store.read { db in
                try CandidateRecords.sagaIDs(ofCandidate: candidateID, in: db).requests.compactMap {
                    try InterviewRecords.interview(requestID: $0, in: db)
                }
            }
            var events = 0
            for interview in interviews {
                for reference in interview.bookings {
                    guard let provider = calendars.provider(named: reference.provider, calendar: reference.calendar) else {
                        throw StepFailure(.permanent, "no \(reference.provider) account for \(reference.calendar) to erase \(reference.eventID)")
                    }
                    do {
                        if interview.status == .cancelled {
                            try await provider.deleteEvent(reference)
                        } else {
                            try await provider.updateEvent(
                                reference,
                                to: CalendarEvent(
                                    title: Self.erasedTitle, description: Self.erasedDescription, start: interview.slot.start,
                                    end: interview.slot.end, timeZone: "UTC", attendees: [], location: ""))
                        }
                        events += 1
                    } catch let error as ProviderError where error.status == 404 || error.status == 410 {
                        continue  // someone removed it already: nothing left to erase there
                    } catch {
                        throw Self.stepFailure(error)
                    }
                }
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
}
