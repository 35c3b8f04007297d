import Foundation
package import SchedulingCore

/// The naive way to find slots: paint every minute of the window free or taken for every
/// participant, then test each grid minute for a long enough free run.
///
/// It shares nothing with `SlotFinder` but `TimeZone.instant(for:)` (which has its own
/// tests), so property tests use it as an oracle, and the benchmark as the reference.
/// Inputs must be whole minutes.
package enum MinuteScanSlotFinder {
    /// Every fitting slot start, earliest first (the ranking and limit are not applied).
    package static func slotStarts(for query: SlotQuery) -> [Instant] {
        let origin = query.window.start.secondsSinceEpoch
        let minutes = Int((query.window.end.secondsSinceEpoch - origin) / 60)
        func minuteIndex(_ instant: Instant) -> Int { Int((instant.secondsSinceEpoch - origin) / 60) }

        var free = [Bool](repeating: true, count: minutes)
        let earliest = query.earliestStart
        for minute in 0..<minutes where origin + Int64(minute) * 60 < earliest.secondsSinceEpoch {
            free[minute] = false
        }
        if let preferred = query.preferredWindows {
            var inside = [Bool](repeating: false, count: minutes)
            for window in preferred.intervals {
                for minute in max(0, minuteIndex(window.start))..<min(minutes, minuteIndex(window.end)) where minute >= 0 {
                    inside[minute] = true
                }
            }
            for minute in 0..<minutes where !inside[minute] { free[minute] = false }
        }
        let bufferBefore = query.bufferBefore.seconds, bufferAfter = query.bufferAfter.seconds
        for participant in query.participants {
            if let hours = participant.workingHours {
                var working = [Bool](repeating: false, count: minutes)
                let zone = participant.timeZone
                var date = zone.localDateTime(at: query.window.start).date.adding(days: -1)
                let lastDate = zone.localDateTime(at: query.window.end).date.adding(days: 1)
                while date <= lastDate {
                    for range in hours.ranges(on: date) {
                        let endDate = range.end < range.start ? date.adding(days: 1) : date
                        let start = zone.instant(for: LocalDateTime(date: date, time: range.start))
                        let end = zone.instant(for: LocalDateTime(date: endDate, time: range.end))
                        var minute = max(0, minuteIndex(start))
                        while minute < min(minutes, minuteIndex(end)) {
                            working[minute] = true
                            minute += 1
                        }
                    }
                    date = date.adding(days: 1)
                }
                for minute in 0..<minutes where !working[minute] { free[minute] = false }
            }
            for busy in participant.busy.intervals {
                let from = busy.start.secondsSinceEpoch - bufferAfter, to = busy.end.secondsSinceEpoch + bufferBefore
                var minute = max(0, Int((from - origin) / 60))
                while minute < min(minutes, Int((to - origin + 59) / 60)) {
                    free[minute] = false
                    minute += 1
                }
            }
        }

        let length = Int(query.duration.minutes)
        let step = query.grid.step.seconds
        var starts: [Instant] = []
        var run = 0  // free minutes ending at the current minute
        var runs = [Int](repeating: 0, count: minutes + 1)
        for minute in 0..<minutes {
            run = free[minute] ? run + 1 : 0
            runs[minute + 1] = run
        }
        if length <= minutes {
            for minute in 0...(minutes - length) where runs[minute + length] >= length {
                let instant = Instant(secondsSinceEpoch: origin + Int64(minute) * 60)
                let wall = instant.secondsSinceEpoch + query.grid.zone.utcOffset(at: instant)
                if ((wall % step) + step) % step == 0 { starts.append(instant) }
            }
        }
        return starts
    }
}
