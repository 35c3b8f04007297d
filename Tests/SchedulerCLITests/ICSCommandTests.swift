import Foundation
import SchedulerTesting
import Testing

/// `scheduler ics …` and feeds as a busy source, as real processes.
@Suite("scheduler ics")
struct ICSCommandTests {
    let scheduler = BuiltProducts.executable("scheduler")
    let root = BuiltProducts.repositoryRoot

    func run(_ arguments: [String], input: String = "") async throws -> ChildProcess.Result {
        try await ChildProcess(executable: scheduler, arguments: arguments).run(input: Data(input.utf8))
    }

    @Test func slotsReadParticipantsFeeds() async throws {
        let result = try await run(["slots", "--request", root.appendingPathComponent("docs/examples/panel-with-feeds.json").path])
        #expect(result.status == 0, "\(result.standardError)")
        let slots = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let first = (slots?["slots"] as? [[String: Any]])?.first
        #expect(first?["start"] as? String == "2026-03-10T14:30:00Z")
    }

    @Test func aMissingFeedIsNamed() async throws {
        let request =
            #"{"durationMinutes":30,"window":{"start":"2026-03-09T00:00:00Z","end":"2026-03-10T00:00:00Z"},"participants":[{"id":"a","timeZone":"UTC","busyFeeds":["/nowhere/a.ics"]}]}"#
        let result = try await run(["slots", "--request", "-"], input: request)
        #expect(result.status != 0 && result.standardOutput.isEmpty)
        #expect(result.standardError.contains("participants[0].busyFeeds: cannot read /nowhere/a.ics"))
    }

    @Test func inviteBusyAndCheck() async throws {
        let interview =
            #"{"interviewId":"iv-1","domain":"scheduler.example.com","start":"2026-03-10T14:00:00Z","end":"2026-03-10T15:00:00Z","timeZone":"Europe/London","organizer":{"email":"hr@example.com","name":"HR"},"attendees":[{"email":"a@example.com","name":"A"}],"title":"Interview"}"#
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("interview-\(UUID().uuidString).json")
        try interview.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let invite = try await run(["ics", "invite", "--interview", file.path, "--method", "cancel"])
        #expect(invite.status == 0, "\(invite.standardError)")
        #expect(invite.standardOutput.contains("METHOD:CANCEL\r\n") && invite.standardOutput.contains("UID:iv-1@scheduler.example.com\r\n"))

        let busy = try await run([
            "ics", "busy", root.appendingPathComponent("ical-samples/feeds/alan.ics").path, "--from", "2026-03-09T00:00:00Z", "--to",
            "2026-03-12T00:00:00Z",
        ])
        #expect(busy.standardOutput == "2026-03-09T15:00:00Z  2026-03-09T16:00:00Z\n2026-03-11T11:00:00Z  2026-03-11T12:00:00Z\n")

        let check = try await run(["ics", "check", root.appendingPathComponent("ical-samples/panel-request.ics").path])
        #expect(check.status == 0 && check.standardOutput.contains("ok, METHOD:REQUEST"))
        let text = FileManager.default.temporaryDirectory.appendingPathComponent("not-ics-\(UUID().uuidString).txt")
        try "hello\n".write(to: text, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: text) }
        let broken = try await run(["ics", "check", text.path])
        #expect(broken.status != 0 && broken.standardError.contains("not iCalendar data"))
    }
}
