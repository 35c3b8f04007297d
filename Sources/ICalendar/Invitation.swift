import SchedulingCore

/// An interview invitation as iTIP (RFC 5546) sends it: one VEVENT with a stable UID.
public struct Invitation: Hashable, Sendable {
    public enum Method: String, Hashable, Sendable, CaseIterable {
        /// A new or rescheduled interview.
        case request
        /// The interview is off.
        case cancel
    }

    public struct Person: Hashable, Sendable {
        public enum Role: Hashable, Sendable {
            case chair, required, optional
        }

        public var email: String
        public var name: String
        public var role: Role

        public init(email: String, name: String, role: Role = .required) {
            self.email = email
            self.name = name
            self.role = role
        }
    }

    public var method: Method
    /// Stable for the life of the interview, e.g. `iv-42@scheduler.example.com`.
    public var uid: String
    /// 0 when first sent, one more on every reschedule or cancellation.
    public var sequence: Int
    /// When this version of the invitation was made.
    public var stamp: Instant
    public var start: Instant
    public var end: Instant
    /// The IANA zone the times are written in (the organiser's).
    public var timeZone: String
    public var organizer: Person
    public var attendees: [Person]
    public var summary: String
    public var description: String
    public var location: String
    public var url: String?
    /// Minutes before the start for the reminder; nil for none. Cancellations carry none.
    public var reminderMinutes: Int?

    public init(
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
    public func cancellation(at stamp: Instant) -> Invitation {
        var cancelled = self
        cancelled.method = .cancel
        cancelled.sequence += 1
        cancelled.stamp = stamp
        cancelled.reminderMinutes = nil
        return cancelled
    }

    /// The same interview at new times: same UID, next sequence.
    public func rescheduled(start: Instant, end: Instant, at stamp: Instant) -> Invitation {
        var moved = self
        moved.start = start
        moved.end = end
        moved.sequence += 1
        moved.stamp = stamp
        return moved
    }
}
