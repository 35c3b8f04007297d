import CLibical
import Foundation

/// libical's built-in VTIMEZONEs trimmed to the years from one on, kept per zone and year:
/// cloning a zone's whole history and trimming it took longer than the rest of an invitation.
/// Every calendar gets a clone of its own; the kept components are only read, under the lock,
/// and live as long as the process.
enum TrimmedTimeZones {
    private struct Key: Hashable {
        var name: String
        var fromYear: Int
    }

    /// More than any deployment's zones times the years its interviews span; past it, zones are
    /// trimmed for each calendar again instead of kept.
    static let limit = 2_000
    /// The kept components, read and written under `lock` only.
    private final class Kept: @unchecked Sendable {
        let lock = NSLock()
        var components: [Key: ICalComponent] = [:]
    }

    private static let kept = Kept()

    /// A new VTIMEZONE for `name` (TZID the plain name) with the rules from January of `year`
    /// on, for the caller to attach to a calendar; nil when libical has none.
    static func copy(named name: String, builtin: OpaquePointer, fromYear year: Int) -> OpaquePointer? {
        kept.lock.withLock {
            let key = Key(name: name, fromYear: year)
            if let trimmed = kept.components[key] { return icalcomponent_new_clone(trimmed.pointer) }
            guard let source = icaltimezone_get_component(builtin), let copy = icalcomponent_new_clone(source) else { return nil }
            icaltimezone_truncate_vtimezone(copy, icaltime_from_string("\(year)0101T000000Z"), icaltime_null_time(), 1)
            icalproperty_set_tzid(icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY), name)
            guard kept.components.count < limit else { return copy }
            kept.components[key] = ICalComponent(owning: copy)
            return icalcomponent_new_clone(copy)
        }
    }
}
