import CalendarProviders
import Foundation
import GRDB
import InterviewScheduling
import SagaStore
import SchedulerTestScopes
import SchedulerTesting
import SchedulingCore
import Testing

/// Thirty requests for one panel at once through the API, with the service killed twice
/// while they run: nobody is booked into two interviews at once, every confirmed interview
/// has exactly one live event per interviewer, and no hold is left behind.
@Suite("A burst on one shared panel, with real processes", .serialized, .runsAfterTestWork)
struct SharedPanelBurstTests {
    /// A panel in one zone over two weeks: about 80 free hours, minus the feeds' meetings.
    static func request(candidate: String) -> String {
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(15 * 86_400))
        return """
            {"candidate": {"id": "\(candidate)", "name": "Ada Lovelace", "email": "\(candidate)@candidates.example", "timeZone": "Europe/London"},
             "interviewers": [{"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "Europe/London"},
                              {"name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"}],
             "durationMinutes": 60, "window": {"start": "\(from)", "end": "\(to)"}, "title": "Panel"}
            """
    }

    @Test func thirtyRequestsAtOnceAndTwoKillsBookNobodyTwice() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        try await system.startService()
        try system.startResponder()
        let requestIDs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<30 {
                group.addTask {
                    let accepted = try await system.request("POST", "/api/v1/scheduling-requests", body: Self.request(candidate: "cand-\(index)"))
                    return try #require(accepted.json["requestId"] as? String, "\(accepted.status) \(accepted.text)")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Killed at once, while every saga is in flight (none can finish before its
        // availability replies come back over Kafka), and again if any still is after the restart.
        let database = try ServiceDatabase.open(path: system.directory.path("data/sagas.sqlite"))
        await system.service?.kill()
        try await system.startService()
        let unsettled = try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM saga_instance WHERE status NOT IN ('completed', 'compensated', 'failed')") ?? 0
        }
        if unsettled > 0 {
            try await Task.sleep(for: .milliseconds(200))
            await system.service?.kill()
            try await system.startService()
        }
        var confirmed: [String] = []
        var unsettledError: (any Error)?
        for requestID in requestIDs {
            do {
                let status = try await system.waitForState(requestID, ["confirmed", "failed", "needs-operator"], seconds: 120)
                #expect(status["state"] as? String == "confirmed", "\(requestID): \(status["error"] ?? "")")
                if let interviewID = status["interviewId"] as? String { confirmed.append(interviewID) }
            } catch {
                unsettledError = error
                break
            }
        }
        if confirmed.count < requestIDs.count {
            let counts = try? await database.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT 'inbox ' || outcome AS what, COUNT(*) AS n FROM inbox GROUP BY outcome UNION ALL SELECT 'outbox unpublished ' || topic, COUNT(*) FROM outbox WHERE published_at IS NULL GROUP BY topic"
                )
                .map { "\($0["what"] as String? ?? "?"): \($0["n"] as Int? ?? 0)" }
            }
            Issue.record("\(confirmed.count) of \(requestIDs.count) confirmed; \((counts ?? []).joined(separator: ", "))\n\(system.logDigest())")
        }
        if let unsettledError { throw unsettledError }

        let calendars = try LocalCalendarProvider(path: system.directory.path("data/calendars.sqlite"))
        for person in ["grace@example.com", "alan@example.com"] {
            let live = try calendars.events(of: person).filter { !$0.cancelled }.sorted { $0.event.start < $1.event.start }
            #expect(live.count == confirmed.count, "\(person): one live event per confirmed interview")
            let overlapping = zip(live, live.dropFirst()).filter { $0.event.end > $1.event.start }
            #expect(overlapping.isEmpty, "\(person) is booked twice at \(overlapping.map { ISO8601.format($0.1.event.start) })")
        }
        for interviewID in confirmed {
            let interview = try await system.get("/api/v1/interviews/\(interviewID)")
            #expect((interview.json["calendarEvents"] as? [Any])?.count == 2, "\(interviewID): one event per interviewer")
        }
        let ledger = SQLiteInterviewerTimeLedger()
        let (orphaned, reservations) = try await database.read { db in
            (
                try ledger.orphanedHolds(in: db),
                try ledger.reservations(
                    of: ["grace@example.com", "alan@example.com"],
                    overlapping: Interval(start: Instant(secondsSinceEpoch: 0), end: Instant(secondsSinceEpoch: 4_000_000_000)), in: db)
            )
        }
        #expect(orphaned == 0, "no hold outlives its saga")
        #expect(reservations.count == 2 * confirmed.count && reservations.allSatisfy { $0.kind == .booked })
        let service = try #require(system.service)
        let status = await service.stop()
        #expect(status == 0, "SIGTERM stops it cleanly; it \(service.ending(status))")
    }
}
