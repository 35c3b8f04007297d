import CLibical

/// Facts about the libical build the service links against.
package enum ICalendarLibrary {
    /// libical's version string, e.g. `3.0.16`.
    package static var version: String { ICAL_VERSION }
}
