import SchedulingCore
import Testing

/// The API's `date-time`s: `ISO8601` in its `.rfc3339` form.
@Suite("RFC 3339 timestamps")
struct RFC3339TimestampTests {
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
        #expect(ISO8601.instant(text, form: .rfc3339) == Instant(secondsSinceEpoch: Self.reference.secondsSinceEpoch + secondsAfterReference))
    }

    @Test func aLeapSecondIsTheNextDaysFirstSecond() {
        let midnight = ISO8601.instant("2017-01-01T00:00:00Z", form: .rfc3339)
        #expect(midnight != nil)
        #expect(ISO8601.instant("2016-12-31T23:59:60Z", form: .rfc3339) == midnight)
        #expect(ISO8601.instant("2016-12-31T18:59:60-05:00", form: .rfc3339) == midnight)
        #expect(ISO8601.instant("2016-12-31T14:59:60Z", form: .rfc3339) == nil, "a leap second only at 23:59 UTC")
    }

    @Test(arguments: [
        "2026-03-09T14:00Z", "2026-03-09 14:00:00Z", "2026-03-09T14:00:00+24:00", "2026-03-09T14:00:00+05:60", "2026-03-09T14:00:00+0545",
        "2026-02-29T14:00:00Z", "2026-03-09T24:00:00Z", "2026-03-09T14:00:00.Z", "2026-03-09T14:00:00,5Z", "2026-03-09T14:00:00Z ",
        "٢٠٢٦-03-09T14:00:00Z", "2026-03-09", "", "yesterday",
    ])
    func anythingElseIsRefused(text: String) {
        #expect(ISO8601.instant(text, form: .rfc3339) == nil)
    }

    /// Files and events keep the lenient form: no seconds, a comma before the fraction.
    @Test func theLenientFormStillReadsShortTimes() {
        #expect(ISO8601.instant("2026-03-09T14:00Z") == Self.reference)
        #expect(ISO8601.instant("2026-03-09T14:00:00,5Z") == Self.reference)
        #expect(ISO8601.instant("2026-03-09T14:00:00-23:08") == Instant(secondsSinceEpoch: Self.reference.secondsSinceEpoch + 83_280))
    }

    @Test func wallClockTimesNeedNoSecondsAndGetTheSearchsForm() {
        #expect(ISO8601.normalized("2026-03-09T09:00", form: .rfc3339) == "2026-03-09T09:00:00")
        #expect(ISO8601.normalized("2026-03-09t09:00:30.25", form: .rfc3339) == "2026-03-09T09:00:30")
        #expect(ISO8601.normalized("2026-03-09T09:00:00-23:08", form: .rfc3339) == "2026-03-10T08:08:00Z")
        #expect(ISO8601.instant("2026-03-09T09:00", form: .rfc3339) == nil, "a wall-clock time is not an instant")
        #expect(ISO8601.normalized("2026-03-09T09:00:60", form: .rfc3339) == nil)
    }

    @Test func instantsOutsideTheYearsFourDigitsWriteAreRefused() {
        #expect(ISO8601.instant("0000-01-01T00:00:00Z", form: .rfc3339) != nil)
        #expect(ISO8601.instant("0000-01-01T00:00:00+00:01", form: .rfc3339) == nil)
        #expect(ISO8601.instant("9999-12-31T23:59:59-00:01", form: .rfc3339) == nil)
    }
}
