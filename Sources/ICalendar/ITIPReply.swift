import CLibical

/// An attendee's answer to an invitation (iTIP `METHOD:REPLY`, RFC 5546 §3.2.3), as a mail
/// client sends it back: which event, which version, who, and their PARTSTAT.
package struct ITIPReply: Hashable, Sendable {
    package var uid: String
    package var sequence: Int
    /// The attendee's address, without `mailto:`.
    package var attendee: String
    /// `ACCEPTED`, `DECLINED`, `TENTATIVE`, …
    package var participation: String

    /// Reads a REPLY; refuses anything else, naming what is wrong.
    package init(text: String) throws(ICalendarError) {
        let document = try ICalendarDocument(text: text)
        // The components read below belong to the document: it must outlive every use of them.
        self = try withExtendedLifetime(document) { () throws(ICalendarError) -> ITIPReply in try ITIPReply(document) }
    }

    private init(_ document: ICalendarDocument) throws(ICalendarError) {
        guard document.method == "REPLY" else {
            throw ICalendarError("METHOD must be REPLY, got \(document.method ?? "none")")
        }
        var events: [OpaquePointer] = []
        for calendar in document.calendars { forEachChild(of: calendar, kind: ICAL_VEVENT_COMPONENT) { events.append($0) } }
        guard events.count == 1, let event = events.first else { throw ICalendarError("a REPLY holds exactly one VEVENT, found \(events.count)") }
        guard let uid = icalcomponent_get_uid(event).map({ String(cString: $0) }), !uid.isEmpty else {
            throw ICalendarError("the VEVENT has no UID")
        }
        var attendees: [(String, String?)] = []
        forEachProperty(of: event, kind: ICAL_ATTENDEE_PROPERTY) { property in
            let address = icalproperty_get_attendee(property).map { String(cString: $0) } ?? ""
            let partstat = icalproperty_get_parameter_as_string(property, "PARTSTAT").map { String(cString: $0) }
            attendees.append((address, partstat))
        }
        guard attendees.count == 1, let (address, partstat) = attendees.first else {
            throw ICalendarError("a REPLY names exactly one ATTENDEE, found \(attendees.count)")
        }
        guard let partstat else { throw ICalendarError("the ATTENDEE has no PARTSTAT") }
        let lowered = address.lowercased()
        self.uid = uid
        sequence = Int(icalcomponent_get_sequence(event))
        attendee = lowered.hasPrefix("mailto:") ? String(address.dropFirst("mailto:".count)) : address
        participation = partstat.uppercased()
    }
}
