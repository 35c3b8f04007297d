import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore

extension SchedulingApplication {
    /// Starts erasing a candidate (admins only). Their requests still being scheduled are
    /// stopped and their confirmed interviews that have not ended are cancelled first (each
    /// with the usual CANCEL to the candidate), unless the command says otherwise. Asking
    /// again answers with the same erasure and starts nothing.
    package func eraseCandidate(_ command: EraseCandidate) async throws -> ErasureStatus {
        try Self.requireAdmin(command.caller)
        let candidateID = command.candidateID
        guard !candidateID.isEmpty, candidateID.unicodeScalars.count <= 200, !candidateID.contains(where: { $0.isNewline || $0.asciiValue == 0 })
        else { throw ApplicationError.invalid(field: "id", reason: "must be a candidate id of 1 to 200 characters on one line") }
        let traces = try await storage.candidateTraces(candidateID)
        let latest = traces.latestErasure
        let newerRequests = latest.map { traces.hasRequests(since: $0.createdAt) } ?? false
        // The same answer while one runs, and once one has erased everything there is; a new
        // generation after one that gave up, or when the candidate has applied again since.
        if let latest {
            switch latest.status {
            case .running, .waiting, .compensating: return try await erasureStatus(of: candidateID, caller: command.caller)
            case .completed where !newerRequests: return try await erasureStatus(of: candidateID, caller: command.caller)
            case .completed, .compensated, .failed: break
            }
        }
        if command.cancelFutureInterviews { try await stopWhatIsAhead(of: candidateID, caller: command.caller) }
        let data = try SagaData(
            encoding: ErasureSagaData(
                candidateId: candidateID, requestedBy: command.caller.subject, cancelFutureInterviews: command.cancelFutureInterviews))
        let audit = AuditEntry(
            actor: command.caller.subject, action: "candidate.erasure.requested", target: candidateID,
            detail: command.cancelFutureInterviews ? "cancelling what is ahead first" : "leaving what is ahead booked",
            at: Instant(now()).secondsSinceEpoch)
        let erasureID =
            latest == nil
            ? InterviewIDs.erasure(ofCandidate: candidateID) : "\(InterviewIDs.erasure(ofCandidate: candidateID)):\(UUID().uuidString.lowercased())"
        do {
            // Two admins at once: the first start wins, the second answers with it.
            try await storage.start(
                SagaStart(
                    type: InterviewSagaKind.erasure.rawValue, id: erasureID, partitionKey: candidateID, data: data,
                    check: .erasure(candidateID: candidateID), writes: [.audit(audit)]))
        } catch is ErasureAlreadyRunning {}
        return try await erasureStatus(of: candidateID, caller: command.caller)
    }

    /// Refused unless the caller is an admin.
    package static func requireAdmin(_ caller: Caller) throws {
        guard caller.role == .admin else { throw ApplicationError.forbidden("only an admin may erase a candidate or see erasures") }
    }

    /// Where the latest erasure of `candidateID` stands (admins only).
    package func erasureStatus(of candidateID: String, caller: Caller) async throws -> ErasureStatus {
        try Self.requireAdmin(caller)
        guard let instance = try await storage.candidateTraces(candidateID).latestErasure else {
            throw ApplicationError.notFound("erasure of candidate \(candidateID.prefix(100))")
        }
        let data = try? instance.data.decoded(as: ErasureSagaData.self)
        let state: ErasureStatus.State =
            switch instance.status {
            case .completed: .completed
            case .failed, .compensated: .failed
            case .running, .waiting, .compensating: .running
            }
        return ErasureStatus(
            candidateID: candidateID, erasureID: instance.id, state: state, sagasErased: data?.sagasErased,
            interviewsErased: data?.interviewsErased, calendarEventsErased: data?.calendarEventsErased,
            error: state == .failed ? instance.lastError?.description : nil)
    }

    /// Stops the candidate's requests still being scheduled and cancels their confirmed
    /// interviews that have not ended. Refused while one of their interviews is being
    /// rescheduled: it would be confirmed again after the erasure looked.
    private func stopWhatIsAhead(of candidateID: String, caller: Caller) async throws {
        let now = Instant(now())
        let traces = try await storage.candidateTraces(candidateID)
        let (requests, sagas, interviews) = (traces.requests, traces.unsettledSagas, traces.interviews)
        if let moving = sagas.first(where: { $0.contains(":reschedule:") }) {
            throw ApplicationError.conflict("an interview of the candidate is being rescheduled (\(moving)); erase when that has finished")
        }
        for request in requests {
            let ahead: Bool
            switch request.status {
            case .running, .waiting: ahead = true
            case .completed:
                let interview = interviews.first { $0.requestID == request.id }
                ahead =
                    interview?.status == .confirmed && (interview?.slot.end ?? now) > now
                    && !sagas.contains(InterviewIDs.cancellation(ofRequest: request.id))
            case .compensating, .compensated, .failed: ahead = false
            }
            guard ahead else { continue }
            do {
                try await cancel(CancelRequest(caller: caller, requestID: request.id, reason: nil))
            } catch ApplicationError.conflict(let reason) {
                // Fine if it is being stopped or cancelled anyway (the erasure waits for that);
                // anything else (an earlier cancellation that failed) would leave it booked.
                guard try await storage.candidateTraces(candidateID).isStoppingOrStopped(request.id) else {
                    throw ApplicationError.conflict("cannot cancel request \(request.id) before the erasure: \(reason)")
                }
            }
        }
    }
}

/// Another erasure of the candidate started first.
struct ErasureAlreadyRunning: Error {
    var id: String
}
