import Foundation
import SchedulingCore
import Testing

/// Bad input is refused with the path of the offending field and its value.
@Suite("Slot request validation")
struct SlotRequestValidationTests {
    static let clock = Instant(secondsSinceEpoch: 1_772_000_000)

    func valid() -> SlotRequest {
        SlotRequest(
            durationMinutes: 45,
            window: .init(start: "2026-03-09T00:00:00Z", end: "2026-03-16T00:00:00Z"),
            participants: [
                .init(id: "alice@example.com", timeZone: "America/New_York", workingHours: ["monday": [.init(start: "09:00", end: "17:00")]]),
                .init(id: "cand@example.org", role: "candidate", timeZone: "Europe/London"),
            ])
    }

    func error(_ change: (inout SlotRequest) -> Void) -> ValidationError? {
        var request = valid()
        change(&request)
        do {
            _ = try request.validated(clock: Self.clock)
            return nil
        } catch {
            return error
        }
    }

    func decodingError(_ json: String) -> ValidationError? {
        do {
            _ = try SlotRequest.decode(from: Data(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidRequestResolves() throws {
        let query = try valid().validated(clock: Self.clock)
        #expect(query.participants.map(\.role) == [.interviewer, .candidate])
        #expect(query.now == Self.clock)
        #expect(query.grid.step == .seconds(900))
        #expect(query.participants[1].workingHours == nil)
    }

    @Test func unknownTimeZone() {
        let e = error { $0.participants[1].timeZone = "Mars/Olympus_Mons" }
        #expect(e?.field == "participants[1].timeZone")
        #expect(e?.reason.contains("\"Mars/Olympus_Mons\"") == true)
    }

    @Test func windowEndBeforeStart() {
        let e = error { $0.window.end = "2026-03-01T00:00:00Z" }
        #expect(e?.field == "window.end")
        #expect(e?.reason.contains("2026-03-01T00:00:00Z") == true)
    }

    @Test func busyEndBeforeStart() {
        let e = error { $0.participants[0].busy = [.init(start: "2026-03-09T10:00", end: "2026-03-09T09:00")] }
        #expect(e?.field == "participants[0].busy[0].end")
    }

    @Test(arguments: [0, -30])
    func nonPositiveDuration(minutes: Int) {
        let e = error { $0.durationMinutes = minutes }
        #expect(e?.field == "durationMinutes")
        #expect(e?.reason.contains("\(minutes)") == true)
    }

    @Test func durationLongerThanTheWindow() {
        let e = error { $0.window.end = "2026-03-09T00:30:00Z" }
        #expect(e?.field == "durationMinutes")
    }

    @Test func windowOver366Days() {
        let e = error { $0.window.end = "2027-03-11T00:00:00Z" }
        #expect(e?.field == "window")
        #expect(e?.reason.contains("367 days") == true)
    }

    @Test func tooManyParticipants() {
        let e = error { request in
            request.participants = (0...200).map { .init(id: "p\($0)", timeZone: "UTC") }
        }
        #expect(e?.field == "participants")
        #expect(e?.reason.contains("201") == true)
    }

    @Test func tooManyBusyIntervals() {
        let e = error { request in
            let block = SlotRequest.TimeRange(start: "2026-03-09T10:00:00Z", end: "2026-03-09T11:00:00Z")
            request.participants[0].busy = Array(repeating: block, count: 600_000)
            request.participants[1].busy = Array(repeating: block, count: 400_001)
        }
        #expect(e?.field == "participants[].busy")
        #expect(e?.reason.contains("1000001") == true)
    }

    @Test func malformedTimes() {
        #expect(error { $0.window.start = "2026-13-01T00:00:00Z" }?.field == "window.start")
        #expect(error { $0.window.start = "next tuesday" }?.reason.contains("\"next tuesday\"") == true)
        #expect(error { $0.now = "2026-03-09T09:00" }?.field == "now")
        #expect(
            error { $0.participants[0].workingHours = ["monday": [.init(start: "9am", end: "17:00")]] }?.field
                == "participants[0].workingHours.monday[0].start")
        #expect(
            error { $0.participants[0].workingHours = ["monday": [.init(start: "09:00", end: "25:00")]] }?.field
                == "participants[0].workingHours.monday[0].end")
        #expect(
            error { $0.participants[0].workingHours = ["monday": [.init(start: "09:00", end: "09:00")]] }?.field
                == "participants[0].workingHours.monday[0]")
    }

    @Test func localTimeWithoutAZone() {
        let e = error { $0.window.start = "2026-03-09T00:00" }
        #expect(e?.field == "window.start")
        #expect(e?.reason.contains("no offset") == true)
    }

    @Test func localTimesUseTheEntryThenRequestZone() throws {
        var request = valid()
        request.timeZone = "Asia/Kathmandu"
        request.window = .init(start: "2026-03-09T00:00", end: "2026-03-10T00:00")
        request.participants[0].busy = [.init(start: "2026-03-09T09:00", end: "2026-03-09T10:00")]
        let query = try request.validated(clock: Self.clock)
        #expect(query.window.start == instant("2026-03-08T18:15:00Z"))
        #expect(
            query.participants[0].busy.intervals == [interval("2026-03-09T13:00:00Z", "2026-03-09T14:00:00Z")],
            "busy is read in the participant's zone (EDT)")
    }

    @Test func otherFieldErrors() {
        #expect(error { $0.participants[0].workingHours = ["funday": []] }?.field == "participants[0].workingHours.funday")
        #expect(error { $0.ranking = "fastest" }?.field == "ranking")
        #expect(error { $0.alignment = .init(minutes: 7) }?.field == "alignment.minutes")
        #expect(error { $0.alignment = .init(minutes: .max) }?.field == "alignment.minutes", "checked before multiplying")
        #expect(error { $0.alignment = .init(minutes: 15, timeZone: "Nowhere") }?.field == "alignment.timeZone")
        #expect(error { $0.participants[1].id = "alice@example.com" }?.field == "participants[1].id")
        #expect(error { $0.participants[1].role = "observer" }?.field == "participants[1].role")
        #expect(error { $0.limit = 0 }?.field == "limit")
        #expect(error { $0.bufferBeforeMinutes = -5 }?.field == "bufferBeforeMinutes")
        #expect(error { $0.participants = [] }?.field == "participants")
        #expect(error { $0.participants[0].overrides = [.init(date: "2026-03-09", off: true, hours: [])] }?.field == "participants[0].overrides[0]")
        #expect(error { $0.participants[0].overrides = [.init(date: "09/03/2026", off: true)] }?.field == "participants[0].overrides[0].date")
    }

    @Test func decodingErrorsNameTheField() {
        #expect(decodingError("{")?.reason.hasPrefix("not valid JSON") == true)
        #expect(decodingError(#"{"window": {"start": "a", "end": "b"}, "participants": []}"#)?.field == "durationMinutes")
        #expect(decodingError(#"{"durationMinutes": "45", "window": {"start": "a", "end": "b"}, "participants": []}"#)?.field == "durationMinutes")
        let nested = decodingError(#"{"durationMinutes": 45, "window": {"start": "a", "end": "b"}, "participants": [{"id": "x", "timeZone": 5}]}"#)
        #expect(nested?.field == "participants[0].timeZone")
        #expect(nested?.reason == "expected a string")
    }

    @Test func unknownFieldsAreIgnored() throws {
        let json =
            #"{"durationMinutes": 30, "future": {"x": 1}, "window": {"start": "2026-03-09T00:00:00Z", "end": "2026-03-10T00:00:00Z"}, "participants": [{"id": "a", "timeZone": "UTC", "nickname": "A"}]}"#
        let request = try SlotRequest.decode(from: Data(json.utf8))
        #expect(request.durationMinutes == 30)
    }
}
