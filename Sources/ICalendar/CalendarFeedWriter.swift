import CLibical
package import SchedulingCore

/// Writes a calendar as a published feed (`METHOD:PUBLISH`): what a calendar program
/// subscribes to. Cancelled events stay in the feed with `STATUS:CANCELLED`, so subscribers
/// remove them.
package enum CalendarFeedWriter {
    package struct Event: Hashable, Sendable {
        package var uid: String
        package var sequence: Int
        package var start: Instant
        package var end: Instant
        package var timeZone: String
        package var summary: String
        package var description: String
        package var location: String
        package var url: String?
        package var cancelled: Bool
        package var attendees: [Invitation.Person]

        package init(
            uid: String, sequence: Int, start: Instant, end: Instant, timeZone: String, summary: String, description: String, location: String,
            url: String?, cancelled: Bool, attendees: [Invitation.Person]
        ) {
            self.uid = uid
            self.sequence = sequence
            self.start = start
            self.end = end
            self.timeZone = timeZone
            self.summary = summary
            self.description = description
            self.location = location
            self.url = url
            self.cancelled = cancelled
            self.attendees = attendees
        }
    }

    package static func render(name: String, events: [Event], stamp: Instant) throws(ICalendarError) -> String {
        icalerror_set_errors_are_fatal(0)
        guard let calendarPointer = icalcomponent_new(ICAL_VCALENDAR_COMPONENT) else {
            throw ICalendarError("libical could not allocate a component")
        }
        let calendar = ICalComponent(owning: calendarPointer)
        icalcomponent_add_property(calendarPointer, icalproperty_new_prodid(Invitation.productID))
        icalcomponent_add_property(calendarPointer, icalproperty_new_version("2.0"))
        icalcomponent_add_property(calendarPointer, icalproperty_new_method(ICAL_METHOD_PUBLISH))
        if let property = icalproperty_new_x(name) {
            icalproperty_set_x_name(property, "X-WR-CALNAME")
            icalcomponent_add_property(calendarPointer, property)
        }
        var builtins: [String: OpaquePointer] = [:]
        let earliest = events.map(\.start).min()
        for event in events {
            let known = builtins[event.timeZone]
            guard let builtin = known ?? (IANATimeZone.named(event.timeZone) != nil ? BuiltinTimeZones.zone(named: event.timeZone) : nil) else {
                throw ICalendarError("event \(event.uid): unknown time zone \"\(event.timeZone)\"")
            }
            if known == nil {
                builtins[event.timeZone] = builtin
                _ = try ICalendarBuilding.addTimeZone(
                    named: event.timeZone, builtin: builtin, fromYearOf: earliest ?? event.start, to: calendarPointer)
            }
            // Looked up for each event: libical keeps a calendar's zones in an array that it
            // sorts by TZID in place, so a zone's address moves when another zone is added.
            let zone = ICalendarBuilding.timeZone(named: event.timeZone, builtin: builtin, in: calendarPointer)
            guard let eventPointer = icalcomponent_new(ICAL_VEVENT_COMPONENT) else { throw ICalendarError("libical could not allocate a component") }
            icalcomponent_add_component(calendarPointer, eventPointer)
            icalcomponent_add_property(eventPointer, icalproperty_new_uid(event.uid))
            icalcomponent_add_property(eventPointer, icalproperty_new_sequence(Int32(event.sequence)))
            icalcomponent_add_property(
                eventPointer,
                icalproperty_new_dtstamp(icaltime_from_timet_with_zone(time_t(stamp.secondsSinceEpoch), 0, BuiltinTimeZones.utc)))
            ICalendarBuilding.setTimes(of: eventPointer, start: event.start, end: event.end, zone: zone, builtin: builtin)
            icalcomponent_add_property(eventPointer, icalproperty_new_summary(event.summary))
            icalcomponent_add_property(eventPointer, icalproperty_new_description(event.description))
            icalcomponent_add_property(eventPointer, icalproperty_new_location(event.location))
            if let url = event.url { icalcomponent_add_property(eventPointer, icalproperty_new_url(url)) }
            icalcomponent_add_property(eventPointer, icalproperty_new_status(event.cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED))
            for attendee in event.attendees { icalcomponent_add_property(eventPointer, try ICalendarBuilding.person(attendee, organizer: false)) }
        }
        return calendar.text
    }
}
