import CLibical
import Synchronization

/// The one way into libical's process-wide table of built-in time zones.
///
/// libical 3.0 fills that table lazily, from whichever thread first needs it (parsing a UTC
/// time, asking for UTC, looking up a zone), and publishes the table before it is full; a
/// lookup of a name missing from `zone.tab` appends to it without any lock. Threads meeting
/// there crash in `strcmp` on a NULL location: the availability responder did, under a burst
/// of first requests. So the table is filled once, before this module's first other libical
/// call, and every lookup holds one lock. Nothing in this module lets libical look zones up on
/// its own (see `Expansion`'s EXDATE).
package enum BuiltinTimeZones {
    private static let lookups = Mutex(())

    /// Filled with every other caller waiting (`static let` runs once).
    private static let filled: Bool = lookups.withLock { _ in icaltimezone_get_utc_timezone() != nil }

    /// Makes sure libical's table is complete; costs nothing after the first call. Called
    /// before parsing or building anything.
    static func prepare() {
        _ = filled
    }

    /// libical's UTC zone.
    static var utc: OpaquePointer? {
        prepare()
        return icaltimezone_get_utc_timezone()
    }

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
