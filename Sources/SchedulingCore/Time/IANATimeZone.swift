public import Foundation

/// Looks up IANA time zone names (`Europe/London`, `Asia/Kolkata`, `UTC`).
public enum IANATimeZone {
    /// The zone named `identifier`, or nil when the name is not in the tz database.
    ///
    /// Names are case-sensitive as in the database. Foundation also understands ad-hoc
    /// forms such as `GMT+5`, which it renames (`GMT+0500`); those are refused, because a
    /// calendar elsewhere would not recognise them.
    public static func named(_ identifier: String) -> TimeZone? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        guard zone.identifier == identifier || identifier == "UTC" else { return nil }
        return zone
    }
}
