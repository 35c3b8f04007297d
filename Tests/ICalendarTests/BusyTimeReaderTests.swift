import Foundation
import ICalendar
import SchedulingCore
import Testing

/// Busy time from feeds; every expected interval below was worked out by hand.
@Suite("Busy time from .ics feeds")
struct BusyTimeReaderTests {
    func busy(_ body: String, from: String, to: String, owner: String = "UTC") throws -> [String] {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\(body)END:VCALENDAR\r\n"
        let window = Interval(
            start: ISO8601.instant(from) ?? Instant(secondsSinceEpoch: 0), end: ISO8601.instant(to) ?? Instant(secondsSinceEpoch: 0))
        let zone = IANATimeZone.named(owner) ?? TimeZone(secondsFromGMT: 0) ?? .current
        return try BusyTimeReader(ownerZone: zone).busyTime(in: ICalendarDocument(text: text), window: window).intervals.map {
            "\($0.start)/\($0.end)"
        }
    }

    func event(_ lines: String...) -> String {
        "BEGIN:VEVENT\r\nUID:\(UUID().uuidString)\r\nDTSTAMP:20260101T000000Z\r\n" + lines.map { "\($0)\r\n" }.joined() + "END:VEVENT\r\n"
    }

    @Test func weeklyRuleStaysAtTheSameWallClockTimeAcrossDST() throws {
        // 09:00 New York every Monday: 14:00Z before 8 March 2026, 13:00Z after.
        let result = try busy(
            event("DTSTART;TZID=America/New_York:20260302T090000", "DTEND;TZID=America/New_York:20260302T100000", "RRULE:FREQ=WEEKLY;COUNT=3"),
            from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z")
        #expect(
            result == [
                "2026-03-02T14:00:00Z/2026-03-02T15:00:00Z", "2026-03-09T13:00:00Z/2026-03-09T14:00:00Z", "2026-03-16T13:00:00Z/2026-03-16T14:00:00Z",
            ])
    }

    @Test func exdateRdateAndAnOverriddenInstance() throws {
        let series = event(
            "UID:series", "DTSTART;TZID=Europe/London:20260105T100000", "DTEND;TZID=Europe/London:20260105T103000",
            "RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/London:20260106T100000", "RDATE;TZID=Europe/London:20260110T160000"
        )
        .replacingOccurrences(of: "UID:\\S+\r\nDTSTAMP", with: "DTSTAMP", options: .regularExpression)
        let moved =
            "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/London:20260107T100000\r\nDTSTART;TZID=Europe/London:20260107T150000\r\nDTEND;TZID=Europe/London:20260107T153000\r\nEND:VEVENT\r\n"
        let cancelled =
            "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/London:20260108T100000\r\nDTSTART;TZID=Europe/London:20260108T100000\r\nDTEND;TZID=Europe/London:20260108T103000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
        let result = try busy(series + moved + cancelled, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z")
        #expect(
            result == [
                "2026-01-05T10:00:00Z/2026-01-05T10:30:00Z",  // the 6th excluded
                "2026-01-07T15:00:00Z/2026-01-07T15:30:00Z",  // the 7th moved to 15:00
                "2026-01-09T10:00:00Z/2026-01-09T10:30:00Z",  // the 8th cancelled
                "2026-01-10T16:00:00Z/2026-01-10T16:30:00Z",  // the RDATE
            ])
    }

    @Test func transparentCancelledAndAllDayEvents() throws {
        let body =
            event("DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "TRANSP:TRANSPARENT")
            + event("DTSTART:20260310T110000Z", "DTEND:20260310T120000Z", "STATUS:CANCELLED")
            + event("DTSTART;VALUE=DATE:20260311", "DTEND;VALUE=DATE:20260312")
        // An all-day event is the owner's whole day: Tokyo's 11 March is 10 March 15:00Z to 11 March 15:00Z.
        #expect(
            try busy(body, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", owner: "Asia/Tokyo") == [
                "2026-03-10T15:00:00Z/2026-03-11T15:00:00Z"
            ])
    }

    @Test func floatingTimesAreTheOwnersAndWindowsNamesMapToIANA() throws {
        let floating = event("DTSTART:20260310T090000", "DURATION:PT1H")
        #expect(
            try busy(floating, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", owner: "Asia/Kolkata") == [
                "2026-03-10T03:30:00Z/2026-03-10T04:30:00Z"
            ])
        let floatingFreeBusy =
            "BEGIN:VFREEBUSY\r\nUID:fb\r\nDTSTAMP:20260101T000000Z\r\nFREEBUSY:20260310T090000/20260310T100000\r\nEND:VFREEBUSY\r\n"
        #expect(
            try busy(floatingFreeBusy, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", owner: "Asia/Kolkata") == [
                "2026-03-10T03:30:00Z/2026-03-10T04:30:00Z"
            ])
        let windows = event("DTSTART;TZID=W. Europe Standard Time:20260715T090000", "DTEND;TZID=W. Europe Standard Time:20260715T100000")
        #expect(
            try busy(windows, from: "2026-07-01T00:00:00Z", to: "2026-08-01T00:00:00Z") == ["2026-07-15T07:00:00Z/2026-07-15T08:00:00Z"],
            "Europe/Berlin, CEST")
    }

    @Test func anEmbeddedCustomZoneIsReadFromItsVTIMEZONE() throws {
        let zone = """
            BEGIN:VTIMEZONE\r\nTZID:Corporate HQ Time\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n
            """
        let body = zone + event("DTSTART;TZID=Corporate HQ Time:20260310T090000", "DTEND;TZID=Corporate HQ Time:20260310T093000")
        #expect(try busy(body, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z") == ["2026-03-10T03:30:00Z/2026-03-10T04:00:00Z"])
    }

    @Test func unboundedRulesAreCutAtTheWindow() throws {
        let body = event("DTSTART:20200101T080000Z", "DTEND:20200101T083000Z", "RRULE:FREQ=DAILY")
        let result = try busy(body, from: "2026-03-10T00:00:00Z", to: "2026-03-13T00:00:00Z")
        #expect(
            result == [
                "2026-03-10T08:00:00Z/2026-03-10T08:30:00Z", "2026-03-11T08:00:00Z/2026-03-11T08:30:00Z", "2026-03-12T08:00:00Z/2026-03-12T08:30:00Z",
            ])
    }

    @Test func aUTCSeriesStaysInUTCForAnOwnerElsewhere() throws {
        // 14:00Z daily across New York's 8 March change; EXDATE and RECURRENCE-ID in UTC too.
        let series =
            "BEGIN:VEVENT\r\nUID:utc-series\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260305T140000Z\r\nDTEND:20260305T143000Z\r\n"
            + "RRULE:FREQ=DAILY;UNTIL=20260310T140000Z\r\nEXDATE:20260307T140000Z\r\nEND:VEVENT\r\n"
        let moved =
            "BEGIN:VEVENT\r\nUID:utc-series\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260309T140000Z\r\n"
            + "DTSTART:20260309T160000Z\r\nDTEND:20260309T163000Z\r\nEND:VEVENT\r\n"
        let result = try busy(series + moved, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", owner: "America/New_York")
        #expect(
            result == [
                "2026-03-05T14:00:00Z/2026-03-05T14:30:00Z", "2026-03-06T14:00:00Z/2026-03-06T14:30:00Z",
                "2026-03-08T14:00:00Z/2026-03-08T14:30:00Z", "2026-03-09T16:00:00Z/2026-03-09T16:30:00Z",
                "2026-03-10T14:00:00Z/2026-03-10T14:30:00Z",
            ])
    }

    @Test func onlyInstancesNearTheWindowCountTowardsTheLimit() throws {
        // Over a million minutes lie before the window; only the window's 60 count.
        let minutely = event("DTSTART:20240101T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY")
        #expect(try busy(minutely, from: "2026-03-10T00:00:00Z", to: "2026-03-10T01:00:00Z").count == 60)
        // Skipping ahead keeps INTERVAL aligned with DTSTART, in wall-clock time across DST.
        let sevenMinutes = event("DTSTART:20230101T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY;INTERVAL=7")
        #expect(
            try busy(sevenMinutes, from: "2026-03-10T00:00:00Z", to: "2026-03-10T01:00:00Z").map { String($0.prefix(20)) } == [
                "2026-03-10T00:04:00Z", "2026-03-10T00:11:00Z", "2026-03-10T00:18:00Z", "2026-03-10T00:25:00Z",
                "2026-03-10T00:32:00Z", "2026-03-10T00:39:00Z", "2026-03-10T00:46:00Z", "2026-03-10T00:53:00Z",
            ])
        let everyThirdDay = event("DTSTART;TZID=America/New_York:20200101T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;INTERVAL=3")
        #expect(
            try busy(everyThirdDay, from: "2026-03-01T00:00:00Z", to: "2026-03-15T00:00:00Z") == [
                "2026-03-03T14:00:00Z/2026-03-03T15:00:00Z", "2026-03-06T14:00:00Z/2026-03-06T15:00:00Z",
                "2026-03-09T13:00:00Z/2026-03-09T14:00:00Z", "2026-03-12T13:00:00Z/2026-03-12T14:00:00Z",
            ])
    }

    @Test func freeBusyPeriodsOfTheBusyKinds() throws {
        let body =
            "BEGIN:VFREEBUSY\r\nUID:fb\r\nDTSTAMP:20260101T000000Z\r\n"
            + "FREEBUSY:20260310T090000Z/20260310T100000Z\r\n"
            + "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260310T110000Z/PT30M\r\n"
            + "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260310T130000Z/20260310T140000Z\r\n"
            + "FREEBUSY;FBTYPE=FREE:20260310T150000Z/20260310T160000Z\r\nEND:VFREEBUSY\r\n"
        #expect(
            try busy(body, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z") == [
                "2026-03-10T09:00:00Z/2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z/2026-03-10T11:30:00Z", "2026-03-10T13:00:00Z/2026-03-10T14:00:00Z",
            ])
    }

    @Test func limitsAndBrokenStructureAreRefusedWithTheLine() throws {
        let dense = event("DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=MINUTELY")
        #expect(throws: ICalendarError.self) { _ = try busy(dense, from: "2026-01-01T00:00:00Z", to: "2026-04-01T00:00:00Z") }
        #expect(throws: ICalendarError(line: 5, "END:VCALENDAR closes BEGIN:VEVENT from line 4")) {
            _ = try ICalendarDocument(text: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n")
        }
        let deep = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:VALARM\r\nBEGIN:VALARM\r\nEND:VALARM\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        #expect(throws: ICalendarError(line: 4, "BEGIN:VALARM nests 4 levels deep; RFC 5545 allows 3")) { _ = try ICalendarDocument(text: deep) }
        #expect(throws: ICalendarError(line: 3, "not a content line (NAME:value): \"GARBAGE\"")) {
            _ = try ICalendarDocument(text: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nGARBAGE\r\nEND:VCALENDAR\r\n")
        }
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 20 * 1024 * 1024 + 1)
        #expect(throws: ICalendarError.self) { _ = try ICalendarDocument(bytes: huge) }
        #expect(throws: ICalendarError.self) { _ = try ICalendarDocument(text: "not a calendar") }
    }

    @Test func libicalAndFoundationAgreeOnZones() throws {
        // The same local times written with TZIDs (resolved by Foundation) and as the zone's
        // own VTIMEZONE under another name (resolved by libical) give the same instants.
        for zone in ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham"] {
            let local = ["20260308T013000", "20260308T033000", "20260405T013000", "20261101T013000", "20260929T120000"]
            let foundation = try local.map {
                try busy(event("DTSTART;TZID=\(zone):\($0)", "DURATION:PT1H"), from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
            }
            let invitation = Invitation(
                method: .request, uid: "z@x", sequence: 0, stamp: Instant(secondsSinceEpoch: 0), start: Instant(secondsSinceEpoch: 1_767_312_000),
                end: Instant(secondsSinceEpoch: 1_767_315_600), timeZone: zone, organizer: .init(email: "o@x.y", name: "O"),
                attendees: [.init(email: "a@x.y", name: "A")], summary: "s", description: "", location: "", url: nil)
            let vtimezone = try invitation.render().components(separatedBy: "BEGIN:VTIMEZONE")[1].components(separatedBy: "END:VTIMEZONE")[0]
                .replacingOccurrences(of: "TZID:\(zone)", with: "TZID:Renamed Zone")
            let libical = try local.map {
                try busy(
                    "BEGIN:VTIMEZONE" + vtimezone + "END:VTIMEZONE\r\n" + event("DTSTART;TZID=Renamed Zone:\($0)", "DURATION:PT1H"),
                    from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
            }
            // Inside a gap or overlap the two libraries may choose differently; everywhere else they must agree.
            #expect(foundation[4] == libical[4], "\(zone)")
            #expect(foundation[1] == libical[1], "\(zone)")
        }
    }
}
