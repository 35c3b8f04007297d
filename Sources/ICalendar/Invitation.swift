package import SchedulingCore

/// An interview invitation as iTIP (RFC 5546) sends it: one VEVENT with a stable UID.
package struct Invitation: Hashable, Sendable {
    package enum Method: String, Hashable, Sendable, CaseIterable {
        /// A new or rescheduled interview.
        case request
        /// The interview is off.
        case cancel
    }

    package struct Person: Hashable, Sendable {
        package enum Role: Hashable, Sendable {
            case chair, required, optional
        }

        package var email: String
        package var name: String
        package var role: Role

        package init(email: String, name: String, role: Role = .required) {
            self.email = email
            self.name = name
            self.role = role
        }
    }

    package var method: Method
    /// Stable for the life of the interview, e.g. `iv-42@scheduler.example.com`.
    package var uid: String
    /// 0 when first sent, one more on every reschedule or cancellation.
    package var sequence: Int
    /// When this version of the invitation was made.
    package var stamp: Instant
    package var start: Instant
    package var end: Instant
    /// The IANA zone the times are written in (the organiser's).
    package var timeZone: String
    package var organizer: Person
    package var attendees: [Person]
    package var summary: String
    package var description: String
    package var location: String
    package var url: String?
    /// Minutes before the start for the reminder; nil for none. Cancellations carry none.
    package var reminderMinutes: Int?

    package init(
        method: Method, uid: String, sequence: Int, stamp: Instant, start: Instant, end: Instant, timeZone: String,
        organizer: Person, attendees: [Person], summary: String, description: String, location: String, url: String?,
        reminderMinutes: Int? = 15
    ) {
        self.method = method
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.organizer = organizer
        self.attendees = attendees
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.reminderMinutes = reminderMinutes
    }

    /// The same interview, cancelled: same UID, next sequence.
    package func cancellation(at stamp: Instant) -> Invitation {
        var cancelled = self
        cancelled.method = .cancel
        cancelled.sequence += 1
        cancelled.stamp = stamp
        cancelled.reminderMinutes = nil
        return cancelled
    }

    /// The same interview at new times: same UID, next sequence.
    package func rescheduled(start: Instant, end: Instant, at stamp: Instant) -> Invitation {
        var moved = self
        moved.start = start
        moved.end = end
        moved.sequence += 1
        moved.stamp = stamp
        return moved
    }
}
