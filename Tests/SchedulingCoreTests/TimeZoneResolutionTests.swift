import SchedulingCore
import Testing

/// Local wall-clock times resolved to instants with java.time's rules: a time in a
/// spring-forward gap moves forward by the gap; a time in a fall-back overlap takes the
/// earlier offset. Expected values were worked out by hand from each zone's rules.
@Suite("Local time resolution across DST")
struct TimeZoneResolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let zone: String
        let local: String
        let expected: String
        let note: String
        var testDescription: String { "\(zone) \(local) (\(note))" }
    }

    static let cases: [Case] = [
        Case(zone: "America/New_York", local: "2025-03-09T02:30", expected: "2025-03-09T07:30:00Z", note: "gap: 03:30 EDT"),
        Case(zone: "America/New_York", local: "2025-11-02T01:30", expected: "2025-11-02T05:30:00Z", note: "overlap: earlier EDT"),
        Case(zone: "America/New_York", local: "2026-03-08T02:00", expected: "2026-03-08T07:00:00Z", note: "gap start: 03:00 EDT"),
        Case(zone: "America/New_York", local: "2026-03-08T01:59", expected: "2026-03-08T06:59:00Z", note: "last EST minute"),
        Case(zone: "America/New_York", local: "2026-11-01T01:59", expected: "2026-11-01T05:59:00Z", note: "overlap: earlier EDT"),
        Case(zone: "America/New_York", local: "2026-11-01T02:00", expected: "2026-11-01T07:00:00Z", note: "after overlap: EST"),
        Case(zone: "America/New_York", local: "2026-07-01T12:00", expected: "2026-07-01T16:00:00Z", note: "summer"),
        Case(zone: "Europe/London", local: "2025-03-30T01:30", expected: "2025-03-30T01:30:00Z", note: "gap: 02:30 BST"),
        Case(zone: "Europe/London", local: "2025-10-26T01:30", expected: "2025-10-26T00:30:00Z", note: "overlap: earlier BST"),
        Case(zone: "Europe/London", local: "2026-03-29T01:00", expected: "2026-03-29T01:00:00Z", note: "gap start: 02:00 BST"),
        Case(zone: "Europe/London", local: "2026-10-25T01:00", expected: "2026-10-25T00:00:00Z", note: "overlap start: BST"),
        Case(zone: "Australia/Sydney", local: "2025-04-06T02:30", expected: "2025-04-05T15:30:00Z", note: "overlap: earlier AEDT"),
        Case(zone: "Australia/Sydney", local: "2025-10-05T02:30", expected: "2025-10-04T16:30:00Z", note: "gap: 03:30 AEDT"),
        Case(zone: "Australia/Sydney", local: "2026-04-05T02:00", expected: "2026-04-04T15:00:00Z", note: "overlap start: AEDT"),
        Case(zone: "Australia/Sydney", local: "2026-10-04T02:15", expected: "2026-10-03T16:15:00Z", note: "gap: 03:15 AEDT"),
        Case(zone: "Australia/Lord_Howe", local: "2025-10-05T02:15", expected: "2025-10-04T15:45:00Z", note: "30-minute gap: 02:45 +11"),
        Case(zone: "Australia/Lord_Howe", local: "2026-04-05T01:45", expected: "2026-04-04T14:45:00Z", note: "30-minute overlap: earlier +11"),
        Case(zone: "Australia/Lord_Howe", local: "2026-04-05T02:00", expected: "2026-04-04T15:30:00Z", note: "after overlap: +10:30"),
        Case(zone: "Asia/Kathmandu", local: "2026-01-15T09:00", expected: "2026-01-15T03:15:00Z", note: "+05:45"),
        Case(zone: "Pacific/Chatham", local: "2025-09-28T03:00", expected: "2025-09-27T14:15:00Z", note: "gap at 02:45: 04:00 +13:45"),
        Case(zone: "Pacific/Chatham", local: "2026-04-05T03:00", expected: "2026-04-04T13:15:00Z", note: "overlap: earlier +13:45"),
        Case(zone: "Pacific/Chatham", local: "2026-07-01T12:00", expected: "2026-06-30T23:15:00Z", note: "winter +12:45"),
        Case(zone: "Pacific/Apia", local: "2011-12-30T12:00", expected: "2011-12-30T22:00:00Z", note: "the skipped day"),
        Case(zone: "Asia/Kolkata", local: "2026-06-01T00:00", expected: "2026-05-31T18:30:00Z", note: "+05:30 crossing UTC midnight"),
        Case(zone: "UTC", local: "2026-03-08T02:30", expected: "2026-03-08T02:30:00Z", note: "no DST"),
    ]

    @Test(arguments: cases)
    func resolvesLikeJavaTime(_ example: Case) {
        #expect(zone(example.zone).instant(for: localDateTime(example.local)) == instant(example.expected))
    }

    @Test("instant → local → instant is the identity outside overlaps", arguments: cases)
    func roundTrip(_ example: Case) {
        let tz = zone(example.zone)
        let resolved = instant(example.expected)
        #expect(tz.instant(for: tz.localDateTime(at: resolved)) == resolved)
    }

    @Test func localReadingUsesTheOffsetInForce() {
        let kathmandu = zone("Asia/Kathmandu")
        #expect(ISO8601.format(instant("2026-01-15T03:15:00Z"), in: kathmandu) == "2026-01-15T09:00:00+05:45")
        let newYork = zone("America/New_York")
        #expect(ISO8601.format(instant("2026-11-01T05:30:00Z"), in: newYork) == "2026-11-01T01:30:00-04:00")
        #expect(ISO8601.format(instant("2026-11-01T06:30:00Z"), in: newYork) == "2026-11-01T01:30:00-05:00")
    }

    @Test func unknownAndNonIANANamesAreRefused() {
        #expect(IANATimeZone.named("Mars/Olympus_Mons") == nil)
        #expect(IANATimeZone.named("GMT+5") == nil)
        #expect(IANATimeZone.named("europe/london") == nil)
        #expect(IANATimeZone.named("Europe/London") != nil)
        #expect(IANATimeZone.named("UTC") != nil)
        #expect(IANATimeZone.named("Asia/Kolkata") != nil, "canonical names Foundation does not list are still known")
        #expect(IANATimeZone.named("Etc/GMT+5") != nil)
    }
}
