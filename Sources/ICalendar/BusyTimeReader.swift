import CLibical
package import Foundation
package import SchedulingCore

/// Busy time found in calendar data over a window.
package struct BusyTime: Sendable {
    /// Busy spans that overlap the window, one per event occurrence or free/busy period,
    /// sorted by start (not merged: `IntervalSet` merges).
    package var intervals: [Interval]
    /// TZIDs nothing defined; their times were read in the owner's zone.
    package var unknownTimeZones: [String]
}

/// Reads busy time from iCalendar feeds: VEVENTs (skipping transparent and cancelled ones),
/// all-day events in the owner's zone, recurrences (RRULE, RDATE, EXDATE and overridden
/// instances by RECURRENCE-ID) cut at the window, and VFREEBUSY periods of the busy kinds.
package struct BusyTimeReader: Sendable {
    /// The zone of floating times and all-day events.
    package var ownerZone: TimeZone
    /// A feed yielding more occurrences than this inside the window is refused.
    package var maximumInstances: Int

    package init(ownerZone: TimeZone, maximumInstances: Int = 100_000) {
        self.ownerZone = ownerZone
        self.maximumInstances = maximumInstances
    }

    package func busyTime(in document: ICalendarDocument, window: Interval) throws(ICalendarError) -> BusyTime {
        var intervals: [Interval] = []
        var unknown = Set<String>()
        for calendar in document.eventContainers {
            var zones = EventTimeZones(calendar: calendar, owner: ownerZone)
            var expansion = Expansion(window: window, zones: zones, maximum: maximumInstances - intervals.count)
            try expansion.addEvents(of: calendar)
            zones = expansion.zones
            intervals += expansion.intervals
            forEachComponent(in: calendar, kind: ICAL_VFREEBUSY_COMPONENT) { freeBusy in
                intervals += Self.busyPeriods(of: freeBusy, window: window, owner: ownerZone)
            }
            unknown.formUnion(zones.unknown)
        }
        intervals.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        return BusyTime(intervals: intervals, unknownTimeZones: unknown.sorted())
    }

    /// FREEBUSY periods whose FBTYPE is BUSY (the default), BUSY-TENTATIVE or BUSY-UNAVAILABLE;
    /// floating ones (RFC 5545 wants UTC) in the owner's zone, like other floating times.
    private static func busyPeriods(of component: OpaquePointer, window: Interval, owner: TimeZone) -> [Interval] {
        func seconds(_ time: icaltimetype) -> Int64 {
            icaltime_is_utc(time) != 0 ? Int64(icaltime_as_timet(time)) : owner.instant(for: EventTimeZones.local(time)).secondsSinceEpoch
        }
        var periods: [Interval] = []
        forEachProperty(of: component, kind: ICAL_FREEBUSY_PROPERTY) { property in
            if let parameter = icalproperty_get_first_parameter(property, ICAL_FBTYPE_PARAMETER) {
                let kind = icalparameter_get_fbtype(parameter)
                guard kind == ICAL_FBTYPE_BUSY || kind == ICAL_FBTYPE_BUSYTENTATIVE || kind == ICAL_FBTYPE_BUSYUNAVAILABLE else { return }
            }
            let period = icalproperty_get_freebusy(property)
            let start = seconds(period.start)
            let end = icaltime_is_null_time(period.end) != 0 ? start + Int64(icaldurationtype_as_int(period.duration)) : seconds(period.end)
            guard let interval = Interval(checkedStart: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end)),
                !interval.isEmpty, interval.overlaps(window)
            else { return }
            periods.append(interval)
        }
        return periods
    }
}
