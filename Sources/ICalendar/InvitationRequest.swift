import Foundation
package import SchedulingCore

/// An interview's invitation as JSON (`scheduler ics invite --interview FILE`).
package struct InvitationRequest: Codable, Hashable, Sendable {
    package struct Person: Codable, Hashable, Sendable {
        package var email: String
        package var name: String
        /// `chair`, `required` (default) or `optional`.
        package var role: String?

        package init(email: String, name: String, role: String? = nil) {
            self.email = email
            self.name = name
            self.role = role
        }
    }

    package var interviewId: String
    /// The service's domain, the right-hand side of the UID.
    package var domain: String?
    package var sequence: Int?
    /// When the invitation was made; default: now.
    package var stamp: String?
    package var start: String
    package var end: String
    package var timeZone: String
    package var organizer: Person
    package var attendees: [Person]
    package var title: String
    package var description: String?
    package var location: String?
    package var meetingUrl: String?
    package var reminderMinutes: Int?

    package init(
        interviewId: String, domain: String? = nil, sequence: Int? = nil, stamp: String? = nil, start: String, end: String, timeZone: String,
        organizer: Person, attendees: [Person], title: String, description: String? = nil, location: String? = nil, meetingUrl: String? = nil,
        reminderMinutes: Int? = nil
    ) {
        self.interviewId = interviewId
        self.domain = domain
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.organizer = organizer
        self.attendees = attendees
        self.title = title
        self.description = description
        self.location = location
        self.meetingUrl = meetingUrl
        self.reminderMinutes = reminderMinutes
    }

    /// Checks every field and builds the invitation.
    package func invitation(method: Invitation.Method, now: Instant) throws(ValidationError) -> Invitation {
        func instant(_ text: String, _ field: String) throws(ValidationError) -> Instant {
            guard let value = ISO8601.instant(text) else {
                throw ValidationError(field: field, reason: "expected a UTC instant like 2026-03-09T14:00:00Z, got \"\(text)\"")
            }
            return value
        }
        func person(_ person: Person, _ field: String) throws(ValidationError) -> Invitation.Person {
            guard person.email.contains("@"), !person.email.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw ValidationError(field: "\(field).email", reason: "expected an e-mail address, got \"\(person.email)\"")
            }
            let role: Invitation.Person.Role
            switch person.role {
            case nil, "required"?: role = .required
            case "optional"?: role = .optional
            case "chair"?: role = .chair
            case let other?: throw ValidationError(field: "\(field).role", reason: "expected chair, required or optional, got \"\(other)\"")
            }
            return Invitation.Person(email: person.email, name: person.name, role: role)
        }
        guard !interviewId.isEmpty, interviewId.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ValidationError(field: "interviewId", reason: "must be letters, digits, '-', '_' or '.', got \"\(interviewId)\"")
        }
        guard IANATimeZone.named(timeZone) != nil else {
            throw ValidationError(field: "timeZone", reason: "unknown time zone \"\(timeZone)\"")
        }
        let start = try instant(self.start, "start"), end = try instant(self.end, "end")
        guard start < end else { throw ValidationError(field: "end", reason: "\(end) is not after start \(start)") }
        if let sequence, !(0...Int(Int32.max)).contains(sequence) {
            throw ValidationError(field: "sequence", reason: "must be between 0 and \(Int32.max), got \(sequence)")
        }
        if let reminderMinutes, !Invitation.reminderRange.contains(reminderMinutes) {
            throw ValidationError(
                field: "reminderMinutes", reason: "must be between 0 and \(Invitation.reminderRange.upperBound) (four weeks), got \(reminderMinutes)")
        }
        guard !attendees.isEmpty else { throw ValidationError(field: "attendees", reason: "at least one attendee is required") }
        var people: [Invitation.Person] = []
        for (index, attendee) in attendees.enumerated() { people.append(try person(attendee, "attendees[\(index)]")) }
        return Invitation(
            method: method, uid: "\(interviewId)@\(domain ?? Invitation.defaultUIDDomain)", sequence: sequence ?? 0,
            stamp: try stamp.map { text throws(ValidationError) in try instant(text, "stamp") } ?? now, start: start, end: end,
            timeZone: timeZone, organizer: try person(organizer, "organizer"), attendees: people, summary: title,
            description: [description, meetingUrl.map { "Join: \($0)" }].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n"),
            location: [location, meetingUrl].compactMap { $0 }.first { !$0.isEmpty } ?? "", url: meetingUrl,
            reminderMinutes: method == .cancel ? nil : reminderMinutes ?? 15)
    }
}
