import InterviewScheduling
import SchedulingCore
import Testing

@Suite("RFC 3339 timestamps in requests")
struct RequestTimestampTests {
    /// 2026-03-09T14:00:00Z.
    static let reference = Instant(secondsSinceEpoch: 1_773_064_800)

    /// A timestamp and its distance from `reference` in seconds.
    static let instants: [(String, Int64)] = [
        ("2026-03-09T14:00:00Z", 0),
        ("2026-03-09t14:00:00z", 0),
        ("2026-03-09T14:00:00.123456789012Z", 0),
        ("2026-03-09T14:00:00.9-00:00", 0),
        ("2026-03-09T14:00:00-23:08", 83_280),
        ("2026-03-09T14:00:00+23:59", -86_340),
        ("2026-03-09T19:45:00+05:45", 0),
    ]

    @Test(arguments: instants)
    func everyOffsetAndFormRFC3339AllowsIsAnInstant(text: String, secondsAfterReference: Int64) {
        #expect(RequestTimestamp.instant(text) == Instant(secondsSinceEpoch: Self.reference.secondsSinceEpoch + secondsAfterReference))
    }

    @Test func aLeapSecondIsTheNextDaysFirstSecond() {
        let midnight = RequestTimestamp.instant("2017-01-01T00:00:00Z")
        #expect(midnight != nil)
        #expect(RequestTimestamp.instant("2016-12-31T23:59:60Z") == midnight)
        #expect(RequestTimestamp.instant("2016-12-31T18:59:60-05:00") == midnight)
        #expect(RequestTimestamp.instant("2016-12-31T14:59:60Z") == nil, "a leap second only at 23:59 UTC")
    }

    @Test(arguments: [
        "2026-03-09T14:00Z", "2026-03-09 14:00:00Z", "2026-03-09T14:00:00+24:00", "2026-03-09T14:00:00+05:60", "2026-03-09T14:00:00+0545",
        "2026-02-29T14:00:00Z", "2026-03-09T24:00:00Z", "2026-03-09T14:00:00.Z", "2026-03-09T14:00:00,5Z", "2026-03-09T14:00:00Z ",
        "٢٠٢٦-03-09T14:00:00Z", "2026-03-09", "", "yesterday",
    ])
    func anythingElseIsRefused(text: String) {
        #expect(RequestTimestamp.instant(text) == nil)
    }

    @Test func wallClockTimesNeedNoSecondsAndGetTheSearchsForm() {
        #expect(RequestTimestamp.canonical("2026-03-09T09:00") == "2026-03-09T09:00:00")
        #expect(RequestTimestamp.canonical("2026-03-09t09:00:30.25") == "2026-03-09T09:00:30")
        #expect(RequestTimestamp.canonical("2026-03-09T09:00:00-23:08") == "2026-03-10T08:08:00Z")
        #expect(RequestTimestamp.instant("2026-03-09T09:00") == nil, "a wall-clock time is not an instant")
        #expect(RequestTimestamp.canonical("2026-03-09T09:00:60") == nil)
    }

    @Test func instantsOutsideTheYearsFourDigitsWriteAreRefused() {
        #expect(RequestTimestamp.instant("0000-01-01T00:00:00Z") != nil)
        #expect(RequestTimestamp.instant("0000-01-01T00:00:00+00:01") == nil)
        #expect(RequestTimestamp.instant("9999-12-31T23:59:59-00:01") == nil)
    }
}
