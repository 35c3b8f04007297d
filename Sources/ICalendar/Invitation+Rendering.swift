import CLibical
import SchedulingCore

extension Invitation {
    /// The project's PRODID.
    package static let productID = "-//interview-scheduler//Interview Scheduler 1.0//EN"

    /// Reminders from the start itself up to four weeks before it.
    package static let reminderRange = 0...40_320
    /// The right-hand side of UIDs when the deployment names no domain of its own
    /// (`SCHEDULER_INVITATION_DOMAIN`); `.invalid` can never collide with a real one (RFC 2606).
    package static let defaultUIDDomain = "interview-scheduler.invalid"

    /// The invitation as an iCalendar object: CRLF line ends, lines folded at 75 octets,
    /// text escaped by libical (a newline in a name cannot start a property), and checked
    /// against RFC 5546's restrictions for its METHOD.
    package func render() throws(ICalendarError) -> String {
        guard IANATimeZone.named(timeZone) != nil, let zone = BuiltinTimeZones.zone(named: timeZone) else {
            throw ICalendarError("unknown time zone \"\(timeZone)\"")
        }
        guard start < end else { throw ICalendarError("the end \(end) is not after the start \(start)") }
        guard let sequenceNumber = Int32(exactly: sequence), sequenceNumber >= 0 else {
            throw ICalendarError("sequence \(sequence) is not between 0 and \(Int32.max)")
        }
        if let minutes = reminderMinutes, !Self.reminderRange.contains(minutes) {
            throw ICalendarError("reminderMinutes \(minutes) is not between 0 and \(Self.reminderRange.upperBound)")
        }
        for (field, value) in [("uid", uid), ("organizer email", organizer.email)] + attendees.map({ ("attendee email", $0.email) }) {
            guard !value.isEmpty, !value.contains(where: { $0.isNewline || $0 == " " }) else {
                throw ICalendarError("\(field) \"\(value)\" is empty or contains white space")
            }
        }
        icalerror_set_errors_are_fatal(0)
        // Every component is attached to the calendar as soon as it exists, so the one Swift
        // owner frees everything whichever step below fails.
        guard let calendarPointer = icalcomponent_new(ICAL_VCALENDAR_COMPONENT) else {
            throw ICalendarError("libical could not allocate a component")
        }
        let calendar = ICalComponent(owning: calendarPointer)
        addCalendarProperties(to: calendarPointer)
        let calendarZone = try ICalendarBuilding.addTimeZone(named: timeZone, builtin: zone, fromYearOf: start, to: calendarPointer)
        guard let eventPointer = icalcomponent_new(ICAL_VEVENT_COMPONENT) else {
            throw ICalendarError("libical could not allocate a component")
        }
        icalcomponent_add_component(calendarPointer, eventPointer)

        let utc = BuiltinTimeZones.utc
        icalcomponent_add_property(eventPointer, icalproperty_new_uid(uid))
        icalcomponent_add_property(eventPointer, icalproperty_new_sequence(sequenceNumber))
        icalcomponent_add_property(eventPointer, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(time_t(stamp.secondsSinceEpoch), 0, utc)))
        // From UTC into the zone by libical's own conversion (converting straight from a time_t
        // into a zone mislabels the result as UTC in libical 3.0).
        ICalendarBuilding.setTimes(of: eventPointer, start: start, end: end, zone: calendarZone, builtin: zone)
        icalcomponent_add_property(eventPointer, try ICalendarBuilding.person(organizer, organizer: true))
        for attendee in attendees { icalcomponent_add_property(eventPointer, try ICalendarBuilding.person(attendee, organizer: false)) }
        icalcomponent_add_property(eventPointer, icalproperty_new_summary(summary))
        // Empty text properties are left out rather than written as `DESCRIPTION:`.
        if !description.isEmpty { icalcomponent_add_property(eventPointer, icalproperty_new_description(description)) }
        if !location.isEmpty { icalcomponent_add_property(eventPointer, icalproperty_new_location(location)) }
        if let url { icalcomponent_add_property(eventPointer, icalproperty_new_url(url)) }
        icalcomponent_add_property(eventPointer, icalproperty_new_status(method == .request ? ICAL_STATUS_CONFIRMED : ICAL_STATUS_CANCELLED))
        if method == .request, let minutes = reminderMinutes, let alarm = icalcomponent_new(ICAL_VALARM_COMPONENT) {
            icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY))
            var trigger = icaltriggertype()
            trigger.time = icaltime_null_time()
            trigger.duration = icaldurationtype_from_int(Int32(-minutes * 60))
            icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger))
            icalcomponent_add_property(alarm, icalproperty_new_description("Reminder: \(summary)"))
            icalcomponent_add_component(eventPointer, alarm)
        }

        let problems = try restrictionProblems(of: eventPointer)
        guard problems.isEmpty else {
            throw ICalendarError("the \(method.rawValue.uppercased()) does not satisfy RFC 5546: \(problems.joined(separator: "; "))")
        }
        return calendar.text
    }

    /// PRODID, VERSION and METHOD.
    private func addCalendarProperties(to calendar: OpaquePointer) {
        icalcomponent_add_property(calendar, icalproperty_new_prodid(Self.productID))
        icalcomponent_add_property(calendar, icalproperty_new_version("2.0"))
        icalcomponent_add_property(calendar, icalproperty_new_method(method == .request ? ICAL_METHOD_REQUEST : ICAL_METHOD_CANCEL))
    }

    /// What libical finds against RFC 5546's restrictions for the METHOD, checked on a copy of
    /// the event in a calendar of its own with the same properties. The VTIMEZONE is left out:
    /// it is libical's own data, the same in every invitation of its zone, and checking its
    /// rules took longer than building the rest of the invitation.
    private func restrictionProblems(of event: OpaquePointer) throws(ICalendarError) -> [String] {
        guard let checkedPointer = icalcomponent_new(ICAL_VCALENDAR_COMPONENT) else {
            throw ICalendarError("libical could not allocate a component")
        }
        let checked = ICalComponent(owning: checkedPointer)
        addCalendarProperties(to: checked.pointer)
        guard let copy = icalcomponent_new_clone(event) else { throw ICalendarError("libical could not copy the event") }
        icalcomponent_add_component(checked.pointer, copy)
        _ = icalrestriction_check(checked.pointer)
        var problems: [String] = []
        collectRestrictionErrors(checked.pointer, into: &problems)
        return problems
    }

    private func collectRestrictionErrors(_ component: OpaquePointer, into problems: inout [String]) {
        forEachProperty(of: component, kind: ICAL_XLICERROR_PROPERTY) { property in
            if let text = icalproperty_get_xlicerror(property) { problems.append(String(cString: text)) }
        }
        forEachChild(of: component, kind: ICAL_ANY_COMPONENT) { collectRestrictionErrors($0, into: &problems) }
    }
}
