import CLibical

/// Parsed iCalendar data: one or more VCALENDARs, owned by one Swift object.
package final class ICalendarDocument {
    let root: ICalComponent
    /// Problems libical noted without refusing the data (an empty property, an unknown
    /// value), as `PROPERTY: message`.
    package let warnings: [String]

    /// Parses iCalendar text; never crashes on any input.
    package init(bytes: [UInt8]) throws(ICalendarError) {
        let text = try ICalendarStructure.check(bytes)
        BuiltinTimeZones.prepare()
        icalerror_set_errors_are_fatal(0)
        guard let parsed = icalparser_parse_string(text) else {
            throw ICalendarError("libical could not parse the data")
        }
        root = ICalComponent(owning: parsed)
        var warnings: [String] = []
        Self.collectErrors(parsed, into: &warnings)
        self.warnings = warnings
    }

    package convenience init(text: String) throws(ICalendarError) {
        try self.init(bytes: Array(text.utf8))
    }

    /// Every VCALENDAR in the data (several when files were concatenated).
    var calendars: [OpaquePointer] {
        if icalcomponent_isa(root.pointer) == ICAL_VCALENDAR_COMPONENT { return [root.pointer] }
        var calendars: [OpaquePointer] = []
        forEachChild(of: root.pointer, kind: ICAL_VCALENDAR_COMPONENT) { calendars.append($0) }
        return calendars
    }

    /// Every component that directly holds events: each VCALENDAR, and the root itself when
    /// the data has components outside any VCALENDAR (tolerated, as other readers do).
    var eventContainers: [OpaquePointer] {
        let calendars = self.calendars
        if calendars.first == root.pointer { return calendars }
        return calendars + [root.pointer]
    }

    /// The METHOD of the first calendar, e.g. `REQUEST`.
    package var method: String? {
        guard let calendar = calendars.first else { return nil }
        let method = icalcomponent_get_method(calendar)
        guard method != ICAL_METHOD_NONE, let text = icalproperty_method_to_string(method) else { return nil }
        return String(cString: text)
    }

    private static func collectErrors(_ component: OpaquePointer, into warnings: inout [String]) {
        forEachProperty(of: component, kind: ICAL_XLICERROR_PROPERTY) { property in
            if let text = icalproperty_get_xlicerror(property) { warnings.append(String(cString: text)) }
        }
        forEachChild(of: component, kind: ICAL_ANY_COMPONENT) { collectErrors($0, into: &warnings) }
    }
}
