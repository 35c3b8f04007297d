import CLibical
import SchedulingCore

/// The occurrences of one calendar's events inside a window.
struct Expansion {
    let window: Interval
    var zones: EventTimeZones
    let maximum: Int
    private(set) var intervals: [Interval] = []

    init(window: Interval, zones: EventTimeZones, maximum: Int) {
        self.window = window
        self.zones = zones
        self.maximum = maximum
    }

    /// A time property's value with its TZID parameter.
    struct Stamp {
        let time: icaltimetype
        let tzid: String?

        init(_ time: icaltimetype, _ property: OpaquePointer) {
            self.time = time
            tzid = icalproperty_get_first_parameter(property, ICAL_TZID_PARAMETER)
                .flatMap { icalparameter_get_tzid($0) }.map { String(cString: $0) }
        }

        var isDate: Bool { time.is_date != 0 }
    }

    mutating func addEvents(of calendar: OpaquePointer) throws(ICalendarError) {
        // Overridden instances, by UID and the instant they replace.
        var overridden: [String: Set<Instant>] = [:]
        var masters: [OpaquePointer] = []
        try forEachComponent(in: calendar, kind: ICAL_VEVENT_COMPONENT) { (event: OpaquePointer) throws(ICalendarError) in
            if let property = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY) {
                let recurrence = Stamp(icalproperty_get_recurrenceid(property), property)
                overridden[uid(event), default: []].insert(start(of: recurrence))
                try addSingle(event)
            } else {
                masters.append(event)
            }
        }
        for event in masters {
            if icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY) == nil,
                icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY) == nil
            {
                try addSingle(event)
            } else {
                try addRecurring(event, skipping: overridden[uid(event)] ?? [])
            }
        }
    }

    private func uid(_ event: OpaquePointer) -> String {
        icalcomponent_get_uid(event).map { String(cString: $0) } ?? ""
    }

    /// Whether an event takes time: not TRANSPARENT, not CANCELLED.
    private func isBusy(_ event: OpaquePointer) -> Bool {
        if icalcomponent_get_status(event) == ICAL_STATUS_CANCELLED { return false }
        if let transparency = icalcomponent_get_first_property(event, ICAL_TRANSP_PROPERTY),
            icalproperty_get_transp(transparency) == ICAL_TRANSP_TRANSPARENT
        {
            return false
        }
        return true
    }

    private mutating func start(of stamp: Stamp) -> Instant {
        stamp.isDate ? zones.owner.instant(for: EventTimeZones.local(stamp.time)) : zones.instant(stamp.time, tzid: stamp.tzid)
    }

    /// DTSTART and how the end follows from a start: a wall-clock length (DTEND or DURATION,
    /// as calendar programs add it), or whole days for all-day events.
    private mutating func timing(of event: OpaquePointer) -> (start: Stamp, wallSeconds: Int64)? {
        guard let startProperty = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY) else { return nil }
        let start = Stamp(icalproperty_get_dtstart(startProperty), startProperty)
        if let endProperty = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY) {
            let end = Stamp(icalproperty_get_dtend(endProperty), endProperty)
            if end.tzid == start.tzid, (icaltime_is_utc(end.time) != 0) == (icaltime_is_utc(start.time) != 0) {
                return (start, EventTimeZones.local(end.time).localSecondsSinceEpoch - EventTimeZones.local(start.time).localSecondsSinceEpoch)
            }
            return (start, self.start(of: end).secondsSinceEpoch - self.start(of: start).secondsSinceEpoch)
        }
        if let durationProperty = icalcomponent_get_first_property(event, ICAL_DURATION_PROPERTY) {
            return (start, Int64(icaldurationtype_as_int(icalproperty_get_duration(durationProperty))))
        }
        return (start, start.isDate ? 86_400 : 0)
    }

    /// A UTC time as the wall clock of `stamp`'s zone shows it, with `stamp`'s date-ness.
    private mutating func wallClock(of utc: icaltimetype, like stamp: Stamp) -> icaltimetype {
        let instant = Instant(secondsSinceEpoch: Int64(icaltime_as_timet(utc)))
        let local: LocalDateTime
        switch stamp.tzid.flatMap({ zones.zone($0) }) {
        case .system(let zone)?: local = zone.localDateTime(at: instant)
        case .embedded(let zone)?: local = EventTimeZones.local(icaltime_convert_to_zone(utc, zone))
        case nil: local = zones.owner.localDateTime(at: instant)
        }
        var result = stamp.time
        result.zone = nil
        result.year = Int32(local.date.year)
        result.month = Int32(local.date.month)
        result.day = Int32(local.date.day)
        if stamp.isDate {
            result.hour = 0
            result.minute = 0
            result.second = 0
        } else {
            result.hour = Int32(local.secondOfDay / 3600)
            result.minute = Int32(local.secondOfDay % 3600 / 60)
            result.second = Int32(local.secondOfDay % 60)
        }
        return result
    }

    /// DTSTART moved forward by whole periods of a rule without COUNT to just before the
    /// window (less the event's length and two days for zone offsets), so that the iterator
    /// does not walk through years of earlier instances. The instance set in the window is the
    /// same: periods stay aligned and BY parts taken from DTSTART keep their values. Rules of
    /// longer periods are left alone (few steps per year; libical's `set_start` ignores INTERVAL).
    private mutating func skippingAhead(_ start: icaltimetype, rule: icalrecurrencetype, like stamp: Stamp, wallSeconds: Int64) -> icaltimetype {
        let unit: Int64
        switch rule.freq {
        case ICAL_SECONDLY_RECURRENCE: unit = 1
        case ICAL_MINUTELY_RECURRENCE: unit = 60
        case ICAL_HOURLY_RECURRENCE: unit = 3600
        case ICAL_DAILY_RECURRENCE: unit = 86_400
        case ICAL_WEEKLY_RECURRENCE: unit = 604_800
        default: return start
        }
        let period = unit * Int64(max(1, rule.interval))
        let windowStart = icaltime_from_timet_with_zone(time_t(window.start.secondsSinceEpoch), 0, BuiltinTimeZones.utc)
        let windowWallClock = icaltime_is_utc(stamp.time) != 0 ? windowStart : wallClock(of: windowStart, like: stamp)
        let target = EventTimeZones.local(windowWallClock).localSecondsSinceEpoch - max(0, wallSeconds) - 2 * 86_400
        let first = EventTimeZones.local(start).localSecondsSinceEpoch
        guard target > first else { return start }
        let moved = LocalDateTime(localSecondsSinceEpoch: first + (target - first) / period * period)
        var result = start
        result.year = Int32(moved.date.year)
        result.month = Int32(moved.date.month)
        result.day = Int32(moved.date.day)
        if start.is_date == 0 {
            result.hour = Int32(moved.secondOfDay / 3600)
            result.minute = Int32(moved.secondOfDay % 3600 / 60)
            result.second = Int32(moved.secondOfDay % 60)
        }
        return result
    }

    private mutating func addSingle(_ event: OpaquePointer) throws(ICalendarError) {
        guard isBusy(event), let timing = timing(of: event) else { return }
        try add(local: timing.start, wallSeconds: timing.wallSeconds)
    }

    /// Adds the occurrence starting at the wall-clock time of `local` (in its TZID).
    private mutating func add(local: Stamp, wallSeconds: Int64) throws(ICalendarError) {
        let begin = start(of: local)
        let wallEnd = LocalDateTime(localSecondsSinceEpoch: EventTimeZones.local(local.time).localSecondsSinceEpoch + wallSeconds)
        let end: Instant
        if local.isDate {
            end = zones.owner.instant(for: wallEnd)
        } else if icaltime_is_utc(local.time) != 0 {
            end = begin + .seconds(wallSeconds)
        } else {
            var endTime = local.time
            endTime.year = Int32(wallEnd.date.year)
            endTime.month = Int32(wallEnd.date.month)
            endTime.day = Int32(wallEnd.date.day)
            endTime.hour = Int32(wallEnd.secondOfDay / 3600)
            endTime.minute = Int32(wallEnd.secondOfDay % 3600 / 60)
            endTime.second = Int32(wallEnd.secondOfDay % 60)
            end = zones.instant(endTime, tzid: local.tzid)
        }
        guard let interval = Interval(checkedStart: begin, end: end), !interval.isEmpty, interval.overlaps(window) else { return }
        guard intervals.count < maximum else {
            throw ICalendarError("more than \(maximum) occurrences fall in the window; refusing the feed")
        }
        intervals.append(interval)
    }

    private mutating func addRecurring(_ event: OpaquePointer, skipping overridden: Set<Instant>) throws(ICalendarError) {
        guard isBusy(event), let timing = timing(of: event) else { return }
        var excluded = overridden
        forEachProperty(of: event, kind: ICAL_EXDATE_PROPERTY) { property in
            // The value as written: `icalproperty_get_exdate` would look the TZID up in libical's
            // zone table, which `BuiltinTimeZones` keeps to itself; `Stamp` resolves it here.
            excluded.insert(start(of: Stamp(icalvalue_get_datetime(icalproperty_get_value(property)), property)))
        }
        var starts: [Stamp] = []
        var seen = Set<Instant>()
        let dtstartProperty = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY)
        // libical 3.0 marks UTC only by the zone pointer, which the iterator drops: put it back.
        let startIsUTC = icaltime_is_utc(timing.start.time) != 0
        try forEachProperty(of: event, kind: ICAL_RRULE_PROPERTY) { (property: OpaquePointer) throws(ICalendarError) in
            var rule = icalproperty_get_rrule(property)
            var floating = timing.start.time
            floating.zone = nil
            // The iterator runs in the event's wall-clock time: a UTC UNTIL must be read there too.
            if icaltime_is_null_time(rule.until) == 0, icaltime_is_utc(rule.until) != 0, icaltime_is_utc(timing.start.time) == 0 {
                rule.until = wallClock(of: rule.until, like: timing.start)
            }
            if rule.count == 0 { floating = skippingAhead(floating, rule: rule, like: timing.start, wallSeconds: timing.wallSeconds) }
            guard let iterator = icalrecur_iterator_new(rule, floating) else {
                throw ICalendarError("RRULE of \(uid(event)) cannot be expanded")
            }
            defer { icalrecur_iterator_free(iterator) }
            var steps = 0
            while true {
                var next = icalrecur_iterator_next(iterator)
                if icaltime_is_null_time(next) != 0 { break }
                if startIsUTC { next.zone = BuiltinTimeZones.utc }
                steps += 1
                guard steps <= 10 * maximum else {
                    throw ICalendarError("RRULE of \(uid(event)) produces more than \(10 * maximum) instances before the window ends")
                }
                let stamp = dtstartProperty.map { Stamp(next, $0) } ?? Stamp(next, property)
                let instant = start(of: stamp)
                if instant >= window.end { break }
                if seen.insert(instant).inserted { starts.append(stamp) }
            }
        }
        forEachProperty(of: event, kind: ICAL_RDATE_PROPERTY) { property in
            let value = icalproperty_get_rdate(property)
            let time = icaltime_is_null_time(value.time) == 0 ? value.time : value.period.start
            let stamp = Stamp(time, property)
            if seen.insert(start(of: stamp)).inserted { starts.append(stamp) }
        }
        if starts.isEmpty, dtstartProperty != nil { starts.append(timing.start) }
        for stamp in starts where !excluded.contains(start(of: stamp)) {
            try add(local: stamp, wallSeconds: timing.wallSeconds)
        }
    }
}
