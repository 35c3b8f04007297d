import Foundation
import SchedulingCore

/// A recruiter's request for a panel interview: `POST /api/v1/scheduling-requests`.
/// Unknown members are ignored. See docs/service.md for the fields.
public struct SchedulingRequestBody: Codable, Hashable, Sendable {
    public struct Person: Codable, Hashable, Sendable {
        /// The candidate's id in the recruiting system; interviewers are known by e-mail.
        public var id: String?
        public var name: String
        public var email: String
        public var timeZone: String
        /// `{"monday": [{"start": "09:00", "end": "17:00"}], …}`; default Monday to Friday, 09:00–17:00.
        public var workingHours: [String: [SlotRequest.HoursRange]]?
    }

    public var candidate: Person
    public var interviewers: [Person]
    public var durationMinutes: Int
    /// Where to look for a slot.
    public var window: SlotRequest.TimeRange
    /// The candidate's preferred times; slots must lie inside one when given.
    public var preferredTimes: [SlotRequest.TimeRange]?
    /// `earliest` (default) or `humane`.
    public var ranking: String?
    public var title: String?
    public var description: String?
    public var location: String?
    public var meetingUrl: String?
    public var jobId: String?

    static let defaultHours: [String: [SlotRequest.HoursRange]] = Dictionary(
        uniqueKeysWithValues: ["monday", "tuesday", "wednesday", "thursday", "friday"].map { ($0, [SlotRequest.HoursRange(start: "09:00", end: "17:00")]) })

    public static let maximumInterviewers = 20
    public static let maximumTextLength = 4000

    /// Decodes and checks every field; the error names the first offending one. Timestamps
    /// come back in the form the slot search reads (`ISO8601.normalized(_:form:)`).
    public static func decode(from data: Data, now: Instant) throws(ValidationError) -> SchedulingRequestBody {
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
    public func slotRequest(busy: [String: [SlotRequest.TimeRange]]) -> SlotRequest {
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
