import Foundation
import ICalendar
import Mail
import SagaCore
import SchedulingCore

extension InterviewSagaHandlers {
    /// The candidate's e-mail for this version of the invitation (`calendar` is its .ics).
    func candidateMail(
        _ method: Invitation.Method, _ request: SchedulingRequestBody, interviewID: String, slot: Interval, sequence: Int, calendar: String,
        now: Date
    ) async throws -> CandidateMail {
        let from = try Self.permanent { try MailAddress(organizer.email, name: organizer.name) }
        // The page stays open until a week after the interview.
        let page = await pageLinks?.link(
            forInterview: interviewID, expiring: Date(timeIntervalSince1970: TimeInterval(slot.end.secondsSinceEpoch)).addingTimeInterval(7 * 86_400))
        return CandidateMail(
            request: request, interviewID: interviewID, slot: slot, sequence: sequence, method: method, calendar: calendar, organizer: from,
            domain: invitationDomain, date: now, pageLink: page)
    }
}
