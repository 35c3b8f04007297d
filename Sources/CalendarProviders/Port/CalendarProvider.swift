package import SchedulingCore

/// An event to put on an interviewer's calendar.
package struct CalendarEvent: Hashable, Sendable {
    package struct Attendee: Hashable, Sendable {
        package var email: String
        package var name: String
        package var optional: Bool

        package init(email: String, name: String, optional: Bool = false) {
            self.email = email
            self.name = name
            self.optional = optional
        }
    }

    package var title: String
    package var description: String
    package var start: Instant
    package var end: Instant
    /// The IANA zone the event is shown in.
    package var timeZone: String
    package var attendees: [Attendee]
    package var location: String
    package var meetingURL: String?

    package init(
        title: String, description: String, start: Instant, end: Instant, timeZone: String, attendees: [Attendee], location: String,
        meetingURL: String? = nil
    ) {
        self.title = title
        self.description = description
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.attendees = attendees
        self.location = location
        self.meetingURL = meetingURL
    }
}

/// Where an event lives, as the saga records it to update or undo it later.
package struct ProviderEventReference: Hashable, Sendable, Codable {
    /// `google`, `graph`, `local`.
    package var provider: String
    /// The calendar or mailbox: an e-mail address for Google and Graph.
    package var calendar: String
    package var eventID: String

    package init(provider: String, calendar: String, eventID: String) {
        self.provider = provider
        self.calendar = calendar
        self.eventID = eventID
    }
}

/// The port the interview saga books calendars through: Google Calendar, Microsoft Graph,
/// or the local provider.
///
/// Creation is idempotent by key: a retry after a crash finds the event it made before
/// instead of making a second one. Cancelling or deleting an event that is already gone
/// succeeds, because compensations must be safe to repeat.
package protocol CalendarProvider: Sendable {
    var name: String { get }

    func createEvent(_ event: CalendarEvent, in calendar: String, idempotencyKey: String) async throws(ProviderError) -> ProviderEventReference
    func updateEvent(_ reference: ProviderEventReference, to event: CalendarEvent) async throws(ProviderError)
    /// Cancels with a note to the attendees.
    func cancelEvent(_ reference: ProviderEventReference, comment: String) async throws(ProviderError)
    func deleteEvent(_ reference: ProviderEventReference) async throws(ProviderError)
    /// Busy time of each calendar within the window.
    func busyTime(of calendars: [String], in window: Interval) async throws(ProviderError) -> [String: IntervalSet]
    /// Where a create with this key put (or would put) its event, for providers whose event
    /// ids derive from the key; nil for the others. Compensations use it to find events a
    /// failed step never recorded.
    func reference(forIdempotencyKey key: String, in calendar: String) -> ProviderEventReference?

    /// Whether events of this account can carry an online meeting the provider creates
    /// (Google Meet, Microsoft Teams, the local provider's stand-in).
    var createsOnlineMeetings: Bool { get }
    /// Creates the event with a new online meeting attached and returns where everyone joins
    /// it. Idempotent by key like `createEvent`: a retry returns the same event and meeting.
    func createEventWithOnlineMeeting(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> OnlineMeetingEvent
}

/// An event created with an online meeting, and the meeting's join link.
package struct OnlineMeetingEvent: Hashable, Sendable {
    package var reference: ProviderEventReference
    package var joinURL: String

    package init(reference: ProviderEventReference, joinURL: String) {
        self.reference = reference
        self.joinURL = joinURL
    }
}

extension CalendarProvider {
    package func reference(forIdempotencyKey key: String, in calendar: String) -> ProviderEventReference? { nil }

    package var createsOnlineMeetings: Bool { false }

    package func createEventWithOnlineMeeting(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> OnlineMeetingEvent {
        throw ProviderError(.rejected, provider: name, message: "this calendar account cannot create online meetings")
    }
}
