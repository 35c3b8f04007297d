import Foundation
import ICalendar
import SchedulingCore

/// `microsoft.graph.dateTimeTimeZone`: a wall-clock time and the zone it is read in.
struct GraphDateTime: Codable {
    var dateTime: String
    var timeZone: String

    /// The wall-clock time in `zone`, named as Windows names it where Graph knows it by that name.
    init(_ instant: Instant, zone: String) {
        let resolved = IANATimeZone.named(zone)
        let local = resolved.map { $0.localDateTime(at: instant) } ?? TimeZone.gmt.localDateTime(at: instant)
        dateTime = Self.format(local)
        timeZone = resolved == nil ? "UTC" : (WindowsTimeZones.windowsName(forIANA: zone) ?? zone)
    }

    /// The instant, reading `timeZone` as a Windows or IANA name.
    func instant() -> Instant? {
        guard case .local(let local)? = ISO8601.timestamp(dateTime) else { return ISO8601.instant(dateTime) }
        let zone = WindowsTimeZones.ianaName(forWindowsName: timeZone) ?? timeZone
        guard let resolved = zone == "UTC" ? TimeZone.gmt : IANATimeZone.named(zone) else { return nil }
        return resolved.instant(for: local)
    }

    /// `2026-11-24T09:00:00.0000000`, as Graph writes it.
    static func format(_ local: LocalDateTime) -> String {
        let text = local.description
        return (text.count == 16 ? text + ":00" : text) + ".0000000"
    }
}

/// The members of `microsoft.graph.event` the adapter writes and reads.
struct GraphEvent: Codable {
    struct Body: Codable {
        var contentType: String
        var content: String
    }

    struct Location: Codable {
        var displayName: String
    }

    struct EmailAddress: Codable {
        var address: String
        var name: String?
    }

    struct Attendee: Codable {
        var emailAddress: EmailAddress
        var type: String
    }

    var id: String?
    var subject: String?
    var body: Body?
    var start: GraphDateTime?
    var end: GraphDateTime?
    var location: Location?
    var attendees: [Attendee]?
    var transactionId: String?
    var isCancelled: Bool?
    /// Asks for a Teams meeting with the event; `onlineMeeting.joinUrl` is its link.
    var isOnlineMeeting: Bool?
    var onlineMeetingProvider: String?
    var onlineMeeting: OnlineMeetingInfo?

    struct OnlineMeetingInfo: Codable {
        var joinUrl: String?
    }

    init(_ event: CalendarEvent, transactionID: String?) {
        subject = event.title
        body = Body(contentType: "text", content: CalendarEventText.description(of: event))
        start = GraphDateTime(event.start, zone: event.timeZone)
        end = GraphDateTime(event.end, zone: event.timeZone)
        location = event.location.isEmpty ? nil : Location(displayName: event.location)
        attendees = event.attendees.map {
            Attendee(emailAddress: EmailAddress(address: $0.email, name: $0.name), type: $0.optional ? "optional" : "required")
        }
        transactionId = transactionID
    }
}

/// The body of `calendar/getSchedule` (PascalCase, as the API description declares it).
struct GraphScheduleRequest: Encodable {
    var Schedules: [String]
    var StartTime: GraphDateTime
    var EndTime: GraphDateTime
    var AvailabilityViewInterval: Int
}

/// Its answer: one `scheduleInformation` per mailbox.
struct GraphScheduleResponse: Decodable {
    struct Item: Decodable {
        var status: String?
        var start: GraphDateTime
        var end: GraphDateTime
    }

    struct Failure: Decodable {
        var message: String?
        var responseCode: String?
    }

    struct Information: Decodable {
        var scheduleId: String?
        var scheduleItems: [Item]?
        var error: Failure?
    }

    var value: [Information]
}
