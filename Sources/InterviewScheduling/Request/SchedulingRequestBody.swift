package import Foundation
package import SchedulingCore

/// A recruiter's request for a panel interview: `POST /api/v1/scheduling-requests`.
/// Unknown members are ignored. See docs/service.md for the fields.
package struct SchedulingRequestBody: Codable, Hashable, Sendable {
    package struct Person: Codable, Hashable, Sendable {
        /// The candidate's id in the recruiting system; interviewers are known by e-mail.
        package var id: String?
        package var name: String
        package var email: String
        package var timeZone: String
        /// `{"monday": [{"start": "09:00", "end": "17:00"}], …}`; default Monday to Friday, 09:00–17:00.
        package var workingHours: [String: [SlotRequest.HoursRange]]?
        /// Interviewers: at most this many interviews on one day of their own zone (held and booked).
        package var maxInterviewsPerDay: Int?
        /// Interviewers: at most this many in one Monday-to-Sunday week of their own zone.
        package var maxInterviewsPerWeek: Int?
        /// Interviewers: at least this many minutes between two of their interviews.
        package var minimumGapMinutes: Int?
    }

    package var candidate: Person
    package var interviewers: [Person]
    package var durationMinutes: Int
    /// Where to look for a slot.
    package var window: SlotRequest.TimeRange
    /// The candidate's preferred times; slots must lie inside one when given.
    package var preferredTimes: [SlotRequest.TimeRange]?
    /// `earliest` (default) or `humane`.
    package var ranking: String?
    package var title: String?
    package var description: String?
    package var location: String?
    /// A fixed meeting link. Once the interview is booked with a provider's meeting, the saga
    /// puts that meeting's link here, so every later step uses it.
    package var meetingUrl: String?
    /// `provider` (the first interviewer's calendar creates an online meeting: Google Meet,
    /// Teams) or `none`; a fixed link goes in `meetingUrl`. Without either: `provider` when
    /// the first interviewer's account can make meetings, else no link.
    package var conferencing: String?
    package var jobId: String?
    /// What `interview.created` announces: `technical` (default), `behavioral` or `system`.
    package var interviewType: InterviewType?

    /// The catalog's interview types.
    package enum InterviewType: String, Codable, Hashable, Sendable, CaseIterable {
        case technical, behavioral, system
    }

    /// How the interview's meeting link is made.
    package enum Conferencing: Hashable, Sendable {
        /// The first interviewer's calendar creates the meeting; `required` when the request
        /// asked for it, so that an account that cannot is an error rather than no link.
        case provider(required: Bool)
        case none
        case fixed(String)
    }

    /// What `conferencing` and `meetingUrl` ask for, after `checked(now:)`.
    package var conferencingMode: Conferencing {
        if let meetingUrl { return .fixed(meetingUrl) }
        switch conferencing {
        case "none": return .none
        case "provider": return .provider(required: true)
        default: return .provider(required: false)
        }
    }

    /// The candidate's id, which `checked(now:)` requires: every body past validation has one.
    package var candidateID: String { candidate.id ?? "" }

    /// The title on calendars and the invitation: the request's, or one naming the candidate.
    package var displayTitle: String {
        title.flatMap { $0.isEmpty ? nil : $0 } ?? "Interview: \(candidate.name)"
    }

    static let defaultHours: [String: [SlotRequest.HoursRange]] = Dictionary(
        uniqueKeysWithValues: ["monday", "tuesday", "wednesday", "thursday", "friday"].map {
            ($0, [SlotRequest.HoursRange(start: "09:00", end: "17:00")])
        })

    package static let maximumInterviewers = 20
    package static let maximumTextLength = 4000

    /// Decodes and checks every field; the error names the first offending one. Timestamps
    /// come back in the form the slot search reads (`ISO8601.normalized(_:form:)`).
    package static func decode(from data: Data, now: Instant) throws(ValidationError) -> SchedulingRequestBody {
        let body: SchedulingRequestBody
        do {
            body = try JSONDecoder().decode(SchedulingRequestBody.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError(error)
        } catch {
            throw ValidationError(field: "", reason: "not valid JSON (\(error))")
        }
        return try body.checked(now: now)
    }

    /// The slot search for this request, with each person's busy time.
    package func slotRequest(busy: [String: [SlotRequest.TimeRange]]) -> SlotRequest {
        let people = [candidate] + interviewers
        let participants = people.enumerated().map { index, person in
            SlotRequest.Participant(
                id: person.email, role: index == 0 ? "candidate" : "interviewer", timeZone: person.timeZone,
                workingHours: person.workingHours ?? Self.defaultHours, busy: busy[person.email.lowercased()] ?? [])
        }
        return SlotRequest(
            durationMinutes: durationMinutes, window: window, timeZone: candidate.timeZone, ranking: ranking,
            preferredWindows: preferredTimes, participants: participants)
    }

    /// `participants[0]` and the request's `timeZone` are the candidate's; `participants[n]`
    /// is `interviewers[n-1]`; `preferredWindows` are `preferredTimes`.
    static func ownField(_ field: String) -> String {
        if field == "timeZone" { return "candidate.timeZone" }
        guard field.hasPrefix("participants["), let close = field.firstIndex(of: "]"),
            let index = Int(field[field.index(field.startIndex, offsetBy: 13)..<close])
        else { return field.replacingOccurrences(of: "preferredWindows", with: "preferredTimes") }
        let rest = field[field.index(after: close)...]
        return (index == 0 ? "candidate" : "interviewers[\(index - 1)]") + rest
    }
}
