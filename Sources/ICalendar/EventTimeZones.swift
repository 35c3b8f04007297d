import CLibical
import Foundation
import SchedulingCore

/// Resolves the TZIDs of one calendar: IANA names (also behind prefixes such as
/// `/freeassociation.sourceforge.net/`), Windows names through CLDR's mapping, and any other
/// name through the calendar's own VTIMEZONE. Floating times belong to the owner's zone.
struct EventTimeZones {
    enum Zone {
        case system(TimeZone)
        /// A zone defined only by the calendar's VTIMEZONE, held by the calendar.
        case embedded(OpaquePointer)
    }

    let calendar: OpaquePointer
    let owner: TimeZone
    private var cache: [String: Zone?] = [:]
    private(set) var unknown: Set<String> = []

    init(calendar: OpaquePointer, owner: TimeZone) {
        self.calendar = calendar
        self.owner = owner
    }

    /// The zone a TZID names; nil (with a note in `unknown`) when nothing defines it.
    mutating func zone(_ tzid: String) -> Zone? {
        if let cached = cache[tzid] { return cached }
        let resolved = Self.systemZone(tzid).map(Zone.system) ?? icalcomponent_get_timezone(calendar, tzid).map(Zone.embedded)
        if resolved == nil { unknown.insert(tzid) }
        cache[tzid] = resolved
        return resolved
    }

    /// The IANA zone behind a TZID, trying the name itself, its trailing path components,
    /// and the Windows mapping.
    static func systemZone(_ tzid: String) -> TimeZone? {
        let name = tzid.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        if let zone = IANATimeZone.named(name) { return zone }
        let parts = name.split(separator: "/")
        for count in stride(from: min(3, parts.count), through: 1, by: -1) {
            if let zone = IANATimeZone.named(parts.suffix(count).joined(separator: "/")) { return zone }
        }
        return WindowsTimeZones.ianaName[name].flatMap(IANATimeZone.named)
    }

    /// The instant of a date-time value: UTC, zoned by `tzid`, or floating (owner's zone).
    mutating func instant(_ time: icaltimetype, tzid: String?) -> Instant {
        if icaltime_is_utc(time) != 0 {
            return Instant(secondsSinceEpoch: Int64(icaltime_as_timet(time)))
        }
        switch tzid.flatMap({ zone($0) }) {
        case .embedded(let zone)?:
            return Instant(secondsSinceEpoch: Int64(icaltime_as_timet_with_zone(time, zone)))
        case .system(let zone)?:
            return zone.instant(for: Self.local(time))
        case nil:
            return owner.instant(for: Self.local(time))
        }
    }

    /// The wall-clock reading of a libical time (its zone ignored).
    static func local(_ time: icaltimetype) -> LocalDateTime {
        let date = LocalDate(year: Int(time.year), month: Int(time.month), day: Int(time.day)) ?? LocalDate(daysSinceEpoch: 0)
        let seconds = time.is_date != 0 ? 0 : Int64(time.hour) * 3600 + Int64(time.minute) * 60 + Int64(time.second)
        return LocalDateTime(localSecondsSinceEpoch: date.daysSinceEpoch * 86_400 + seconds)
    }
}
