import CLibical

/// Facts about the libical build the service links against.
public enum ICalendarLibrary {
    /// libical's version string, e.g. `3.0.16`.
    public static var version: String { ICAL_VERSION }
}
