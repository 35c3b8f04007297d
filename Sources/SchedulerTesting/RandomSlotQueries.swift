import Foundation
package import SchedulingCore

/// Builds random but realistic slot queries: participants spread over zones with odd
/// offsets and DST rules, split working days, overrides, and random busy blocks.
package struct RandomSlotQueries {
    /// Zones chosen to exercise DST in both hemispheres, half- and quarter-hour offsets,
    /// grouped by region so that a panel drawn from one group shares some working time.
    package static let zoneGroups = [
        ["Europe/London", "Europe/Berlin", "Asia/Kathmandu", "Asia/Kolkata"],
        ["Australia/Sydney", "Australia/Lord_Howe", "Pacific/Chatham"],
        ["America/New_York", "America/Los_Angeles", "UTC", "Europe/London"],
    ]
    package static let zones = Array(Set(zoneGroups.joined())).sorted()

    package var generator: SeededGenerator

    package init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    /// A query over `days` days starting at `start`, with `participants` people each
    /// holding `busyPerParticipant` random busy blocks of `busyMinutes` length.
    ///
    /// With `meetingHoursPerDay`, each person's blocks on a day all start inside that many
    /// hours (UTC) chosen for the person and day, as meetings cluster; otherwise they are
    /// spread uniformly over the window.
    package mutating func query(
        start: Instant, days: Int, participants count: Int, busyPerParticipant: Int,
        busyMinutes: ClosedRange<Int> = 15...90, durationMinutes: Int = 45, alignmentMinutes: Int = 15,
        buffers: Bool = true, ranking: SlotRanking = .earliest, zones: [String] = RandomSlotQueries.zones,
        meetingHoursPerDay: Int? = nil, nightShifts: Bool = true
    ) -> SlotQuery {
        let window = Interval(start: start, duration: .seconds(Int64(days) * 86_400))
        var participants: [Participant] = []
        for index in 0..<count {
            let zoneName = zones[Int.random(in: 0..<zones.count, using: &generator)]
            let zone = IANATimeZone.named(zoneName) ?? TimeZone(secondsFromGMT: 0) ?? .current
            let meetingHours = meetingHoursPerDay.map { count in
                (0..<days).map { _ in Array((0..<24).shuffled(using: &generator).prefix(count)) }
            }
            let busy = (0..<busyPerParticipant).map { _ -> Interval in
                var offsetMinutes = Int64.random(in: 0..<Int64(days) * 1440, using: &generator)
                let day = Int(offsetMinutes / 1440)
                if let hours = meetingHours?[day], let hour = hours.randomElement(using: &generator) {
                    offsetMinutes = Int64(day) * 1440 + Int64(hour * 60) + offsetMinutes % 60
                }
                let length = Int64(Int.random(in: busyMinutes, using: &generator))
                return Interval(start: start + .seconds(offsetMinutes * 60), duration: .seconds(length * 60))
            }
            participants.append(
                Participant(
                    id: "p\(index)@example.com", role: index == 0 ? .candidate : .interviewer, timeZone: zone,
                    workingHours: workingHours(startingAt: zone.localDateTime(at: start).date, days: days, nightShifts: nightShifts),
                    busy: IntervalSet(busy)))
        }
        let alignmentZone = IANATimeZone.named(zones[Int.random(in: 0..<zones.count, using: &generator)])
        return SlotQuery(
            duration: .seconds(Int64(durationMinutes) * 60), window: window, now: start,
            minimumNotice: .seconds(Int64(Int.random(in: 0...3, using: &generator)) * 3600),
            bufferBefore: buffers ? .seconds(Int64(Int.random(in: 0...2, using: &generator)) * 300) : .zero,
            bufferAfter: buffers ? .seconds(Int64(Int.random(in: 0...2, using: &generator)) * 300) : .zero,
            grid: grid(minutes: alignmentMinutes, zone: alignmentZone ?? .current),
            ranking: ranking, participants: participants)
    }

    /// A grid of `minutes`; falls back to 15 minutes when `minutes` does not divide a day.
    private func grid(minutes: Int, zone: TimeZone) -> SlotGrid {
        if let grid = SlotGrid(step: .seconds(Int64(minutes) * 60), zone: zone) { return grid }
        guard let fallback = SlotGrid(step: .seconds(900), zone: zone) else { preconditionFailure("15 minutes divide a day") }
        return fallback
    }

    /// Split weekday hours (a night shift for one person in eight when `nightShifts`),
    /// plus a day off or extra evening hours every fortnight.
    private mutating func workingHours(startingAt firstDate: LocalDate, days: Int, nightShifts: Bool) -> WorkingHours {
        func range(_ start: Int, _ end: Int) -> LocalTimeRange? {
            guard let from = LocalTime(hour: start / 60, minute: start % 60),
                let to = LocalTime(hour: end / 60, minute: end % 60)
            else { return nil }
            return LocalTimeRange(start: from, end: to)
        }
        var weekly: [Weekday: [LocalTimeRange]] = [:]
        let nightShift = Int.random(in: 0..<8, using: &generator) == 0 && nightShifts
        for weekday in Weekday.allCases where weekday != .saturday && weekday != .sunday {
            if nightShift {
                weekly[weekday] = [range(22 * 60, 6 * 60)].compactMap { $0 }
            } else {
                let morningStart = Int.random(in: 7...10, using: &generator) * 60 + Int.random(in: 0...1, using: &generator) * 30
                weekly[weekday] = [range(morningStart, 12 * 60), range(13 * 60, 17 * 60 + 30)].compactMap { $0 }
            }
        }
        var overrides: [LocalDate: WorkingHours.Override] = [:]
        for _ in 0..<max(1, days / 14) {
            let date = firstDate.adding(days: Int64.random(in: 0..<Int64(days), using: &generator))
            overrides[date] =
                Bool.random(using: &generator)
                ? .dayOff
                : .extra([range(18 * 60, 20 * 60)].compactMap { $0 })
        }
        return WorkingHours(weekly: weekly, overrides: overrides)
    }
}
