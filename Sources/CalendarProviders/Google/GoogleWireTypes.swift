import Foundation
import SchedulingCore

/// The parts of Calendar v3's `Event` the adapter writes and reads.
struct GoogleEvent: Codable {
    struct Time: Codable {
        var dateTime: String
        var timeZone: String?
    }

    struct Attendee: Codable {
        var email: String
        var displayName: String?
        var optional: Bool?
    }

    /// `ConferenceData`: asked for with `createRequest` (and `conferenceDataVersion=1` on the
    /// call); Google answers `pending`, then `success` with the entry points.
    struct Conference: Codable {
        struct SolutionKey: Codable { var type: String }
        struct Status: Codable { var statusCode: String }
        struct CreateRequest: Codable {
            var requestId: String
            var conferenceSolutionKey: SolutionKey?
            var status: Status?
        }
        struct EntryPoint: Codable {
            var entryPointType: String?
            var uri: String?
        }

        var createRequest: CreateRequest?
        var entryPoints: [EntryPoint]?
    }

    var id: String?
    var status: String?
    var summary: String?
    var description: String?
    var location: String?
    var start: Time?
    var end: Time?
    var attendees: [Attendee]?
    var conferenceData: Conference?
    var hangoutLink: String?

    /// The video link, once Google has made the conference; nil while it is pending.
    var joinLink: String? {
        hangoutLink ?? conferenceData?.entryPoints?.first { $0.entryPointType == "video" }?.uri
    }

    /// `pending`, `success` or `failure`; nil when no conference was asked for.
    var conferenceStatus: String? { conferenceData?.createRequest?.status?.statusCode }

    init(_ event: CalendarEvent, id: String?) {
        self.id = id
        summary = event.title
        description = CalendarEventText.description(of: event)
        location = event.location.isEmpty ? nil : event.location
        start = Time(dateTime: ISO8601.format(event.start), timeZone: event.timeZone)
        end = Time(dateTime: ISO8601.format(event.end), timeZone: event.timeZone)
        attendees = event.attendees.map { Attendee(email: $0.email, displayName: $0.name, optional: $0.optional ? true : nil) }
    }
}

/// `FreeBusyRequest`.
struct GoogleFreeBusyRequest: Encodable {
    struct Item: Encodable { var id: String }
    var timeMin: String
    var timeMax: String
    var timeZone = "UTC"
    var items: [Item]
}

/// `FreeBusyResponse`: per calendar, busy periods or errors (inside a 200).
struct GoogleFreeBusyResponse: Decodable {
    struct Period: Decodable {
        var start: String
        var end: String
    }

    struct Failure: Decodable {
        var domain: String?
        var reason: String?
    }

    struct Calendar: Decodable {
        var busy: [Period]?
        var errors: [Failure]?
    }

    var calendars: [String: Calendar]?
}
