import Foundation
import SchedulerTesting
import Testing

/// `scheduler slots` run as a real process: JSON or a table on stdout, errors on stderr
/// with a non-zero exit and nothing on stdout.
@Suite("scheduler slots")
struct SlotsCommandTests {
    let scheduler = BuiltProducts.executable("scheduler")
    let sample = BuiltProducts.repositoryRoot.appendingPathComponent("docs/examples/panel-three-zones.json").path

    func run(_ arguments: [String], input: String = "") async throws -> ChildProcess.Result {
        try await ChildProcess(executable: scheduler, arguments: arguments).run(input: Data(input.utf8))
    }

    @Test func printsRankedSlotsAsJSON() async throws {
        let result = try await run(["slots", "--request", sample])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let slots = try #require(object?["slots"] as? [[String: Any]])
        #expect(slots.count == 4)
        let first = try #require(slots.first)
        #expect(first["start"] as? String == "2026-03-05T14:15:00Z")
        let local = try #require(first["local"] as? [[String: Any]])
        #expect(local.map { $0["start"] as? String } == ["2026-03-05T14:15:00+00:00", "2026-03-05T09:15:00-05:00", "2026-03-05T15:15:00+01:00"])
    }

    @Test func printsATableWithEveryParticipantsClock() async throws {
        let result = try await run(["slots", "--request", sample, "--format", "table"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.first?.contains("grace@example.com (America/New_York)") == true)
        #expect(lines.dropFirst().first?.contains("Thu 2026-03-05 09:15–10:00 -05:00") == true)
    }

    @Test func explainsWhenNothingFits() async throws {
        let request = #"""
            {"durationMinutes": 60, "window": {"start": "2026-03-09T00:00:00Z", "end": "2026-03-10T00:00:00Z"}, "now": "2026-03-01T00:00:00Z",
             "participants": [
               {"id": "ny", "timeZone": "America/New_York", "workingHours": {"monday": [{"start": "09:00", "end": "12:00"}]}},
               {"id": "tokyo", "timeZone": "Asia/Tokyo", "workingHours": {"monday": [{"start": "09:00", "end": "17:00"}]}}]}
            """#
        let result = try await run(["slots", "--request", "-"], input: request)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("\"outsideWorkingHours\""))
        #expect(result.standardOutput.contains("No 60-minute slot fits all 2 participants"))
    }

    @Test(arguments: [
        (
            #"{"durationMinutes": 45, "window": {"start": "2026-03-09T00:00:00Z", "end": "2026-03-10T00:00:00Z"}, "participants": [{"id": "a", "timeZone": "Mars/Olympus_Mons"}]}"#,
            "participants[0].timeZone: unknown time zone \"Mars/Olympus_Mons\""
        ),
        (
            #"{"durationMinutes": 0, "window": {"start": "2026-03-09T00:00:00Z", "end": "2026-03-10T00:00:00Z"}, "participants": [{"id": "a", "timeZone": "UTC"}]}"#,
            "durationMinutes: must be positive, got 0"
        ),
        (
            #"{"durationMinutes": 45, "window": {"start": "2026-03-09T00:00:00Z", "end": "2026-03-08T00:00:00Z"}, "participants": [{"id": "a", "timeZone": "UTC"}]}"#,
            "window.end: 2026-03-08T00:00:00Z is before start 2026-03-09T00:00:00Z"
        ),
        ("not json", "not valid JSON"),
    ])
    func rejectsBadInputOnStandardError(request: String, message: String) async throws {
        let result = try await run(["slots", "--request", "-"], input: request)
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func missingFileIsReported() async throws {
        let result = try await run(["slots", "--request", "/nonexistent/request.json"])
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("/nonexistent/request.json"))
    }

    @Test func versionNamesTheLinkedCLibraries() async throws {
        let result = try await run(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("librdkafka 2."))
        #expect(result.standardOutput.contains("libical 3."))
    }
}
