import SchedulingCore
import Testing

/// Working ranges materialised one local date at a time: DST days change their real
/// length, never their wall-clock endpoints.
@Suite("Working hours across DST")
struct WorkingDayTests {
    func blocks(_ zoneName: String, on day: String, _ ranges: LocalTimeRange...) -> [Interval] {
        let tz = zone(zoneName)
        let hours = WorkingHours(weekly: [:], overrides: [date(day): .replace(ranges)])
        let start = tz.instant(for: LocalDateTime(date: date(day), time: LocalTime(hour: 0, minute: 0)!))
        return hours.workingDays(in: tz, covering: Interval(start: start, duration: .seconds(86_400)))
            .filter { $0.date == date(day) }.flatMap(\.blocks)
    }

    @Test func springForwardDayIsAnHourShorter() {
        let result = blocks("America/New_York", on: "2026-03-08", range("00:00", "04:00"))
        #expect(result == [interval("2026-03-08T05:00:00Z", "2026-03-08T08:00:00Z")])
        #expect(result.first?.duration == .seconds(3 * 3600))
    }

    @Test func fallBackDayIsAnHourLonger() {
        let result = blocks("America/New_York", on: "2026-11-01", range("00:00", "04:00"))
        #expect(result == [interval("2026-11-01T04:00:00Z", "2026-11-01T09:00:00Z")])
    }

    @Test func rangeInsideTheGapMovesForwardByTheGap() {
        // Both ends are read as if the clocks had not yet changed: 03:15–03:45 EDT.
        #expect(
            blocks("America/New_York", on: "2026-03-08", range("02:15", "02:45"))
                == [interval("2026-03-08T07:15:00Z", "2026-03-08T07:45:00Z")])
    }

    @Test func rangeFromTheGapToItsMirrorVanishes() {
        // 02:30 moves to 03:30 EDT, which is where 03:30 already is.
        #expect(blocks("America/New_York", on: "2026-03-08", range("02:30", "03:30")).isEmpty)
    }

    @Test func ordinaryHoursOnADSTDayAreNotShifted() {
        #expect(
            blocks("Europe/London", on: "2026-03-29", range("09:00", "17:30"))
                == [interval("2026-03-29T08:00:00Z", "2026-03-29T16:30:00Z")])
    }

    @Test func nightShiftAcrossFallBackRunsNineHours() {
        let result = blocks("Europe/London", on: "2026-10-24", range("22:00", "06:00"))
        #expect(result == [interval("2026-10-24T21:00:00Z", "2026-10-25T06:00:00Z")])
    }

    @Test func workingDayCrossingUTCMidnight() {
        #expect(
            blocks("Australia/Sydney", on: "2026-03-09", range("09:00", "17:00"))
                == [interval("2026-03-08T22:00:00Z", "2026-03-09T06:00:00Z")])
    }

    @Test func lordHoweHalfHourSpringForward() {
        #expect(
            blocks("Australia/Lord_Howe", on: "2025-10-05", range("01:00", "03:00"))
                == [interval("2025-10-04T14:30:00Z", "2025-10-04T16:00:00Z")])
    }

    @Test func chathamSpringForwardAtQuarterToThree() {
        #expect(
            blocks("Pacific/Chatham", on: "2025-09-28", range("02:00", "05:00"))
                == [interval("2025-09-27T13:15:00Z", "2025-09-27T15:15:00Z")])
    }

    @Test func kathmanduSplitDay() {
        #expect(
            blocks("Asia/Kathmandu", on: "2026-01-15", range("09:00", "12:00"), range("13:00", "17:30"))
                == [interval("2026-01-15T03:15:00Z", "2026-01-15T06:15:00Z"), interval("2026-01-15T07:15:00Z", "2026-01-15T11:45:00Z")])
    }

    @Test func rangeEndingAtMidnight() {
        #expect(
            blocks("UTC", on: "2026-01-15", range("20:00", "24:00"))
                == [interval("2026-01-15T20:00:00Z", "2026-01-16T00:00:00Z")])
    }

    @Test func overridesReplaceAddOrRemoveAWeekday() {
        let monday = date("2026-03-09")
        var hours = WorkingHours(weekly: weekdays(range("09:00", "17:00")))
        #expect(hours.ranges(on: monday) == [range("09:00", "17:00")])
        hours.overrides[monday] = .dayOff
        #expect(hours.ranges(on: monday).isEmpty)
        hours.overrides[monday] = .extra([range("18:00", "19:00")])
        #expect(hours.ranges(on: monday) == [range("09:00", "17:00"), range("18:00", "19:00")])
        hours.overrides[monday] = .replace([range("10:00", "11:00")])
        #expect(hours.ranges(on: monday) == [range("10:00", "11:00")])
        #expect(hours.ranges(on: date("2026-03-14")).isEmpty, "Saturday has no weekly hours")
    }
}
