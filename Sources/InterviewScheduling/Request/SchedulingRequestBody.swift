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

    /// Decodes and checks every field; the error names the first offending one.
    public static func decode(from data: Data, now: Instant) throws(ValidationError) -> SchedulingRequestBody {
        let body: SchedulingRequestBody
        do {
            body = try JSONDecoder().decode(SchedulingRequestBody.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError(error)
        } catch {
            throw ValidationError(field: "", reason: "not valid JSON (\(error))")
        }
        try body.validate(now: now)
        return body
    }

    /// Checks every field; the error names the first offending one.
    public func validate(now: Instant) throws(ValidationError) {
        guard !interviewers.isEmpty, interviewers.count <= Self.maximumInterviewers else {
            throw ValidationError(field: "interviewers", reason: "must list 1 to \(Self.maximumInterviewers) interviewers, got \(interviewers.count)")
        }
        try Self.checkPerson(candidate, at: "candidate")
        guard let candidateID = candidate.id, !candidateID.isEmpty, candidateID.count <= 200, !candidateID.contains(where: \.isNewline) else {
            throw ValidationError(field: "candidate.id", reason: "is required: 1 to 200 characters, one line")
        }
        var seen = Set<String>()
        for (index, interviewer) in interviewers.enumerated() {
            try Self.checkPerson(interviewer, at: "interviewers[\(index)]")
            guard seen.insert(interviewer.email.lowercased()).inserted else {
                throw ValidationError(field: "interviewers[\(index)].email", reason: "\"\(interviewer.email)\" is listed twice")
            }
        }
        for (field, text) in [("title", title), ("description", description), ("location", location), ("meetingUrl", meetingUrl), ("jobId", jobId)] {
            guard let text else { continue }
            guard text.count <= Self.maximumTextLength else { throw ValidationError(field: field, reason: "is longer than \(Self.maximumTextLength) characters") }
            if field != "description", text.contains(where: \.isNewline) { throw ValidationError(field: field, reason: "must be one line") }
        }
        if let meetingUrl, URL(string: meetingUrl)?.scheme.map({ ["https", "http"].contains($0) }) != true {
            throw ValidationError(field: "meetingUrl", reason: "must be an http(s) URL, got \"\(meetingUrl)\"")
        }
        do {
            _ = try slotRequest(busy: [:]).validated(clock: now)
        } catch {
            throw ValidationError(field: Self.ownField(error.field), reason: error.reason)
        }
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

    /// `participants[0].timeZone` is `candidate.timeZone`; `participants[n]` is `interviewers[n-1]`.
    static func ownField(_ field: String) -> String {
        guard field.hasPrefix("participants["), let close = field.firstIndex(of: "]"),
              let index = Int(field[field.index(field.startIndex, offsetBy: 13)..<close])
        else { return field == "preferredWindows" ? "preferredTimes" : field.replacingOccurrences(of: "preferredWindows", with: "preferredTimes") }
        let rest = field[field.index(after: close)...]
        return (index == 0 ? "candidate" : "interviewers[\(index - 1)]") + rest
    }

    static func checkPerson(_ person: Person, at field: String) throws(ValidationError) {
        let email = person.email
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !email.contains(where: { $0.isWhitespace || $0.isNewline || "<>\",;:()[]\\".contains($0) })
        else { throw ValidationError(field: "\(field).email", reason: "is not an e-mail address: \"\(email.prefix(80))\"") }
        guard !person.name.isEmpty, person.name.count <= 200, !person.name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) else {
            throw ValidationError(field: "\(field).name", reason: "must be 1 to 200 characters on one line")
        }
    }
}
