import Events
import Foundation
import GRDB
import ICalendar
import SagaCore
import SagaStore
import SchedulingCore

/// The candidate's side: their page (reached through a signed link that the HTTP edge has
/// checked before any of these runs), their answer, and asking for another time.
extension SchedulingApplication {
    /// The page of `interviewID`.
    package func candidatePage(_ interviewID: String) async throws -> CandidatePageView {
        let (interview, request, rescheduling) = try await candidateInterview(interviewID)
        let zone = TimeZone(identifier: request.candidate.timeZone) ?? .gmt
        let offered = Self.window(of: request)
        func date(_ instant: Instant?) -> String {
            guard let instant else { return "" }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch)))
        }
        return CandidatePageView(
            interviewID: interview.id, title: request.displayTitle, candidateName: request.candidate.name, timeZone: request.candidate.timeZone,
            slot: interview.slot, when: CandidateMailText.when(interview.slot, in: request.candidate.timeZone).long,
            panel: request.interviewers.map(\.name), meetingURL: request.meetingUrl, location: request.location,
            cancelled: interview.status == .cancelled,
            response: interview.candidateResponse, sequence: interview.sequence, offeredFrom: date(offered?.start),
            offeredTo: date(offered.map { $0.end - .seconds(1) }),
            rescheduling: rescheduling)
    }

    /// Records the candidate's answer and announces a change as `interview.updated` with
    /// `changes.candidateResponse` (one transaction). The same answer again changes nothing.
    /// Returns whether it changed.
    /// `sequence` is the version of the invitation the candidate answers (the page's, or the
    /// REPLY's): an answer to a version that has since moved is refused, in the same
    /// transaction that would record it.
    @discardableResult
    package func respondAsCandidate(
        _ interviewID: String, _ response: CandidateResponse, toVersion sequence: Int?, via channel: String
    ) async throws
        -> Bool
    {
        guard response != .needsAction else { throw ApplicationError.invalid(field: "response", reason: "must be accepted, declined or tentative") }
        _ = try await candidateInterview(interviewID)  // refuses an erased candidate's
        return try await recordAnswer(interviewID, response, toVersion: sequence, via: channel)
    }

    /// Records an answer (accepted, declined or tentative) to an interview that
    /// `candidateInterview` has found.
    @discardableResult
    private func recordAnswer(
        _ interviewID: String, _ response: CandidateResponse, toVersion sequence: Int?, via channel: String
    ) async throws
        -> Bool
    {
        try await storage.recordCandidateAnswer(
            CandidateAnswer(interviewID: interviewID, response: response, sequence: sequence, channel: channel, at: now()))
    }

    /// An iTIP REPLY from the candidate's mail client: it must be about this interview's
    /// current version and come from the candidate's address.
    @discardableResult
    package func candidateReply(_ interviewID: String, calendar text: String) async throws -> CandidateResponse {
        let reply: ITIPReply
        do {
            reply = try ITIPReply(text: text)
        } catch {
            throw ApplicationError.invalid(field: "body", reason: "not an iTIP REPLY: \(error)")
        }
        let (_, request, _) = try await candidateInterview(interviewID)
        guard reply.uid.hasPrefix("\(interviewID)@") else {
            throw ApplicationError.invalid(field: "UID", reason: "\"\(reply.uid.prefix(100))\" is not this interview's")
        }
        guard reply.attendee.lowercased() == request.candidate.email.lowercased() else {
            throw ApplicationError.invalid(field: "ATTENDEE", reason: "is not the candidate's address")
        }
        guard let response = CandidateResponse(partstat: reply.participation) else {
            throw ApplicationError.invalid(
                field: "PARTSTAT", reason: "must be ACCEPTED, DECLINED or TENTATIVE, got \(reply.participation.prefix(40))")
        }
        try await recordAnswer(interviewID, response, toVersion: reply.sequence, via: "iTIP REPLY")
        return response
    }

    /// How often a candidate may ask for another time for one interview.
    package static let maximumCandidateReschedules = 3

    /// Starts a reschedule into the days `from` to `to` (`yyyy-MM-dd`, both included, in the
    /// candidate's zone), cut to the window the recruiter offered (nothing left is refused);
    /// the same ledger, caps and checks as a recruiter's reschedule, at most
    /// `maximumCandidateReschedules` times per interview.
    package func candidateAsksAnotherTime(_ interviewID: String, from: String, to: String) async throws -> RescheduleAccepted {
        let (interview, request, _) = try await candidateInterview(interviewID)
        guard let zone = TimeZone(identifier: request.candidate.timeZone) else {
            throw ApplicationError.invalid(field: "timeZone", reason: "the candidate's zone is unknown")
        }
        let actor = "candidate:\(interview.candidateID)"
        let asked = try await storage.auditLog(target: interviewID).filter { $0.action == "interview.reschedule" && $0.actor == actor }.count
        guard asked < Self.maximumCandidateReschedules else {
            throw ApplicationError.conflict("another time was asked for \(asked) times already; please contact the recruiter")
        }
        guard let first = Self.startOfDay(from, in: zone) else {
            throw ApplicationError.invalid(field: "from", reason: "expected a date such as 2026-12-01")
        }
        guard let last = Self.startOfDay(to, in: zone), let end = Self.startOfDay(to, in: zone, addingDays: 1) else {
            throw ApplicationError.invalid(field: "to", reason: "expected a date such as 2026-12-04")
        }
        guard first <= last else { throw ApplicationError.invalid(field: "to", reason: "must not be before from") }
        guard let offered = Self.window(of: request) else {
            throw ApplicationError.conflict("the window the recruiter offered cannot be read; please contact the recruiter")
        }
        let start = max(Instant(first), offered.start), stop = min(Instant(end), offered.end)
        guard start < stop else {
            throw ApplicationError.invalid(
                field: "window",
                reason: "must lie between \(ISO8601.format(offered.start)) and \(ISO8601.format(offered.end)), the times the recruiter offered")
        }
        let window = SlotRequest.TimeRange(start: ISO8601.format(start), end: ISO8601.format(stop))
        return try await startReschedule(interview, window: window, preferredTimes: nil, actor: actor, withinOriginalWindow: true)
    }

    /// The first moment of `date` (`yyyy-MM-dd`) in `zone` (midnight, or later when a DST
    /// change skips midnight), `addingDays` later.
    static func startOfDay(_ date: String, in zone: TimeZone, addingDays days: Int = 0) -> Date? {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, date.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar), let day = calendar.date(from: components) else { return nil }
        return calendar.date(byAdding: .day, value: days, to: calendar.startOfDay(for: day))
    }

    /// The interview, its request, and whether a reschedule of it runs. An interview whose
    /// candidate was erased is not found: the links in the e-mails sent before stay signed
    /// until they expire, and must neither show what is left nor change it.
    private func candidateInterview(_ interviewID: String) async throws -> (InterviewRecord, SchedulingRequestBody, Bool) {
        guard let found = try await storage.candidateInterview(interviewID) else {
            throw ApplicationError.notFound("interview \(interviewID.prefix(100))")
        }
        let request = try found.request.data.decoded(as: SchedulingSagaData.self).request
        guard request.candidate.email != Redaction.erasedEmail else {
            throw ApplicationError.notFound("interview \(interviewID.prefix(100)): the candidate's details were erased")
        }
        return (found.interview, request, found.rescheduling)
    }
}
