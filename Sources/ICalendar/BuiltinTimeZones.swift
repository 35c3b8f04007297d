import CLibical
import Synchronization

/// The one way into libical's process-wide table of built-in time zones.
///
/// libical 3.0 fills that table lazily, from whichever thread first needs it (parsing a UTC
/// time, asking for UTC, looking up a zone), and publishes the table before it is full; a
/// lookup of a name missing from `zone.tab` appends to it without any lock. Threads meeting
/// there crash in `strcmp` on a NULL location: the availability responder did, under a burst
/// of first requests. So every entry into libical here first makes sure, holding one lock,
/// that the table is full, and every lookup holds that lock too. Nothing in this module lets
/// libical look zones up on its own (see `Expansion`'s EXDATE).
package enum BuiltinTimeZones {
    private static let lookups = Mutex(())

    /// Makes sure libical's table is complete before the caller goes on: the first caller
    /// fills it holding the lock, and everyone else waits for that. Called before parsing or
    /// building anything; an uncontended lock and a pointer check after the first time.
    static func prepare() {
        lookups.withLock { _ in _ = icaltimezone_get_builtin_timezones() }
    }

    /// libical's UTC zone: a static object of libical's, outside the table, never freed. Taken
    /// once (filling the table first) and then read without a lock, as recurrence loops do.
    static var utc: OpaquePointer? { utcZone }

    nonisolated(unsafe) private static let utcZone: OpaquePointer? = {
        prepare()
        return icaltimezone_get_utc_timezone()
    }()

    /// The built-in zone for an IANA `name`, with its VTIMEZONE already loaded, so that what
    /// libical fills in lazily is filled before the zone is shared; nil when libical has none.
    static func zone(named name: String) -> OpaquePointer? {
        prepare()
        return lookups.withLock { _ in
            guard let zone = icaltimezone_get_builtin_timezone(name) else { return nil }
            _ = icaltimezone_get_component(zone)
            return zone
        }
    }
}

extension BuiltinTimeZones {
    /// Every location in libical's table now, read under the lock: what lookups have added.
    package static func listedLocations() -> Set<String> {
        prepare()
        return lookups.withLock { _ in
            guard let table = icaltimezone_get_builtin_timezones() else { return [] }
            var locations = Set<String>()
            for index in 0..<table.pointee.num_elements {
                let zone = OpaquePointer(icalarray_element_at(table, index))
                if let location = icaltimezone_get_location(zone) { locations.insert(String(cString: location)) }
            }
            return locations
        }
    }
}
