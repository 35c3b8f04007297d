import CLibical
import SchedulingCore

/// Pieces shared by everything that writes iCalendar: invitations and feeds.
enum ICalendarBuilding {
    /// Adds a copy of the built-in VTIMEZONE, trimmed to the years that matter and named by
    /// its plain IANA name, and returns the zone as the calendar now holds it; nil for UTC,
    /// which needs no VTIMEZONE (its times are written with `Z`).
    static func addTimeZone(
        named name: String, builtin: OpaquePointer, fromYearOf start: Instant, to calendar: OpaquePointer
    ) throws(ICalendarError) -> OpaquePointer? {
        if builtin == BuiltinTimeZones.utc { return nil }
        // Keep the rules from the year before the interview on: enough for any reader.
        let year = LocalDateTime(localSecondsSinceEpoch: start.secondsSinceEpoch).date.year - 1
        guard let copy = TrimmedTimeZones.copy(named: name, builtin: builtin, fromYear: year) else {
            throw ICalendarError("libical has no VTIMEZONE for \(name)")
        }
        icalcomponent_add_component(calendar, copy)
        guard let zone = icalcomponent_get_timezone(calendar, name) else { throw ICalendarError("the VTIMEZONE for \(name) could not be read back") }
        return zone
    }

    /// The calendar's zone `name` as it is now (see `addTimeZone`); nil for UTC.
    static func timeZone(named name: String, builtin: OpaquePointer, in calendar: OpaquePointer) -> OpaquePointer? {
        builtin == BuiltinTimeZones.utc ? nil : icalcomponent_get_timezone(calendar, name)
    }

    static func person(_ person: Invitation.Person, organizer: Bool) throws(ICalendarError) -> OpaquePointer {
        let address = "mailto:\(person.email)"
        guard let property = organizer ? icalproperty_new_organizer(address) : icalproperty_new_attendee(address) else {
            throw ICalendarError("libical could not make a property for \(person.email)")
        }
        icalproperty_add_parameter(property, icalparameter_new_cn(person.name))
        if !organizer {
            let role: icalparameter_role
            switch person.role {
            case .chair: role = ICAL_ROLE_CHAIR
            case .required: role = ICAL_ROLE_REQPARTICIPANT
            case .optional: role = ICAL_ROLE_OPTPARTICIPANT
            }
            icalproperty_add_parameter(property, icalparameter_new_role(role))
            icalproperty_add_parameter(property, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION))
            icalproperty_add_parameter(property, icalparameter_new_rsvp(ICAL_RSVP_TRUE))
        }
        return property
    }

    /// DTSTART and DTEND in `zone` (the calendar's copy of `builtin`), converted by libical
    /// from UTC (converting straight from a time_t into a zone mislabels the result as UTC in
    /// libical 3.0).
    ///
    /// The conversion goes through `builtin`, whose rules the copy keeps from the year before
    /// `start` on: libical expands a zone's changes once per zone object, under its own lock, and
    /// the built-in zones live as long as the process, while a fresh copy was expanded again for
    /// every calendar (through ICU's calendar, most of the cost of rendering an invitation).
    static func setTimes(of event: OpaquePointer, start: Instant, end: Instant, zone: OpaquePointer?, builtin: OpaquePointer) {
        icalcomponent_set_dtstart(event, wallClock(of: start, in: builtin, labelledAs: zone))
        icalcomponent_set_dtend(event, wallClock(of: end, in: builtin, labelledAs: zone))
    }

    /// `instant` as `builtin`'s wall clock, labelled with the calendar's `zone`; in UTC when
    /// there is no zone.
    private static func wallClock(of instant: Instant, in builtin: OpaquePointer, labelledAs zone: OpaquePointer?) -> icaltimetype {
        let utc = BuiltinTimeZones.utc
        let universal = icaltime_from_timet_with_zone(time_t(instant.secondsSinceEpoch), 0, utc)
        guard let zone else { return universal }
        var time = icaltime_convert_to_zone(universal, builtin)
        time.zone = zone
        return time
    }
}
