import CalendarProviders
import Foundation
import SchedulerTestScopes
import SchedulerTesting
import SchedulingCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Three `serve` processes on one PostgreSQL database and the development cluster, with the
/// availability responder, as a deployment with three replicas would run: a burst of requests
/// for a few shared panels through all three, one instance killed (SIGKILL) and another
/// stopped (SIGTERM) while the burst is in flight.
@Suite("Three instances on PostgreSQL, one killed and one stopped during a burst", .serialized, .runsAfterTestWork)
struct SeveralInstancesChaosTests {
    static let panels = 5
    static let requests = 100

    /// Panel `k`: two interviewers in London, free most of each weekday.
    static func request(_ index: Int) -> String {
        let panel = index % panels
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(15 * 86_400))
        return """
            {"candidate": {"id": "cand-\(index)", "name": "Candidate \(index)", "email": "c\(index)@candidates.example", "timeZone": "Europe/London"},
             "interviewers": [{"name": "A\(panel)", "email": "a\(panel)@example.com", "timeZone": "Europe/London"},
                              {"name": "B\(panel)", "email": "b\(panel)@example.com", "timeZone": "Europe/London"}],
             "durationMinutes": 60, "window": {"start": "\(from)", "end": "\(to)"}, "title": "Panel \(panel)"}
            """
    }

    @Test(.timeLimit(.minutes(5))) func everyRequestSettlesAndNobodyIsBookedTwice() async throws {
        let system = try await ServiceProcesses()
        let server = try await PostgresTestServer.shared()
        let url = try await server.newDatabase()
        let database = url.lastPathComponent
        let instances = try await Self.startInstances(3, on: url, system)
        let processes = instances.map(\.process)
        afterTest {
            for process in processes { await process.stop() }
            await system.stopAll()
        }
        try Self.startResponder(system)
        let requestIDs = try await Self.burst(Self.requests, through: instances.map(\.port), system)
        // While they are in flight: instance 0 dies, instance 1 is stopped.
        let killedAt = ContinuousClock.now
        await instances[0].process.kill()
        let unsettledAtKill = try await server.psql(
            "SELECT COUNT(*) FROM saga_instance WHERE status NOT IN ('completed', 'compensated', 'failed')", database: database)
        #expect((Int(unsettledAtKill.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "sagas in flight when the instance died")
        async let stopped = instances[1].process.stop()
        let survivor = instances[2].port

        var confirmed: [String: String] = [:]
        var failed = 0
        for requestID in requestIDs {
            var last: [String: Any] = [:]
            let settled = try await eventually(150) {
                last = try await Self.call(system, survivor, "GET", "/api/v1/scheduling-requests/\(requestID)").json
                return ["confirmed", "failed", "needs-operator", "cancelled"].contains(last["state"] as? String ?? "")
            }
            #expect(settled, "\(requestID) stayed \(last["state"] ?? "?")")
            if last["state"] as? String == "confirmed", let interviewID = last["interviewId"] as? String {
                confirmed[requestID] = interviewID
            } else {
                failed += 1
                #expect(last["state"] as? String == "failed" && "\(last["error"] ?? "")".contains("no slot"), "\(requestID): \(last)")
            }
        }
        let settledAfter = ContinuousClock.now - killedAt
        let stoppedStatus = await stopped
        #expect(stoppedStatus == 0, "the stopped instance exits cleanly: it \(instances[1].process.ending(stoppedStatus))")
        // The dead instance's claims last 30 s; the survivors finish its sagas soon after.
        #expect(settledAfter < .seconds(90), "settled \(settledAfter) after the kill")
        #expect(confirmed.count >= Self.requests * 3 / 4, "\(confirmed.count) confirmed, \(failed) failed")

        // Every calendar: no overlap, one live event per interviewer per confirmed interview, none else.
        let calendars = try LocalCalendarProvider(path: system.directory.path("data/calendars.sqlite"))
        var interviewsOf: [String: Int] = [:]
        for (index, requestID) in requestIDs.enumerated() where confirmed[requestID] != nil {
            interviewsOf["a\(index % Self.panels)@example.com", default: 0] += 1
            interviewsOf["b\(index % Self.panels)@example.com", default: 0] += 1
        }
        for panel in 0..<Self.panels {
            for person in ["a\(panel)@example.com", "b\(panel)@example.com"] {
                let live = try calendars.events(of: person).filter { !$0.cancelled }.sorted { $0.event.start < $1.event.start }
                #expect(live.count == interviewsOf[person, default: 0], "\(person): \(live.count) live events")
                let overlapping = zip(live, live.dropFirst()).filter { $0.event.end > $1.event.start }
                #expect(overlapping.isEmpty, "\(person) is booked twice at \(overlapping.map { ISO8601.format($0.1.event.start) })")
            }
        }
        for interviewID in confirmed.values.prefix(20) {
            let interview = try await Self.call(system, survivor, "GET", "/api/v1/interviews/\(interviewID)")
            #expect((interview.json["calendarEvents"] as? [Any])?.count == 2, "\(interviewID): one event per interviewer")
        }
        // `scheduling.confirmed` published for every confirmed request; no hold left behind.
        // Published by whichever instance leads the relays by then (after the dead one's lease).
        var announced = Set<String>()
        let allAnnounced = try await eventually(60) {
            let published = try await server.psql(
                "SELECT saga_id FROM outbox WHERE topic = 'enginedge.interview.scheduling.confirmed' AND published_at IS NOT NULL", database: database
            )
            announced = Set(published.split(separator: "\n").map(String.init))
            return Set(confirmed.keys).isSubset(of: announced)
        }
        #expect(allAnnounced, "confirmed but not announced: \(Set(confirmed.keys).subtracting(announced))")
        let orphaned = try await server.psql(
            """
            SELECT COUNT(*) FROM interviewer_reservation r LEFT JOIN saga_instance s ON s.id = r.saga_id
            WHERE r.kind = 'held' AND (s.id IS NULL OR s.status IN ('completed', 'compensated', 'failed'))
            """, database: database)
        #expect(orphaned.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let survivorStatus = await instances[2].process.stop()
        #expect(survivorStatus == 0, "the survivor \(instances[2].process.ending(survivorStatus))")
    }

    /// `count` `serve` processes on the database at `url`, each on a port of its own; once all answer ready.
    /// `firstPort`, if given, is the first instance's.
    static func startInstances(
        _ count: Int, on url: URL, _ system: ServiceProcesses, firstPort: Int? = nil
    ) async throws -> [(process: BackgroundProcess, port: Int)] {
        var started: [(process: BackgroundProcess, port: Int)] = []
        for index in 0..<count {
            let port = try index == 0 ? firstPort ?? FreePort.next() : FreePort.next()
            var environment = system.environment
            environment["SCHEDULER_DATABASE_URL"] = url.absoluteString
            environment["SCHEDULER_INSTANCE_ID"] = "instance-\(index)"
            environment["SCHEDULER_PORT"] = "\(port)"
            started.append(
                (
                    try BackgroundProcess(
                        "serve", arguments: ["serve"], environment: environment, logFile: system.directory.path("service-\(index).log")), port
                ))
        }
        for (index, instance) in started.enumerated() {
            let ready = try await eventually(60) { (try? await call(system, instance.port, "GET", "/health/ready").status) == 200 }
            guard ready else {
                for instance in started { await instance.process.kill() }
                let log = (try? String(contentsOfFile: system.directory.path("service-\(index).log"), encoding: .utf8)) ?? ""
                Issue.record("instance \(index) did not become ready: \(log.split(separator: "\n").suffix(15).joined(separator: "\n"))")
                throw CancellationError()
            }
        }
        return started
    }

    /// The availability responder, answering every interviewer from one sample feed.
    static func startResponder(_ system: ServiceProcesses) throws {
        let config = system.directory.path("responder.yaml")
        try """
        interviewers:
          "*": { feed: \(BuiltProducts.repositoryRoot.appendingPathComponent("ical-samples/feeds/grace.ics").path), timeZone: America/New_York }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        system.responder = try BackgroundProcess(
            "responder", arguments: ["availability-responder", "--config", config, "--data-directory", system.directory.path("responder")],
            environment: system.environment, logFile: system.directory.path("responder.log"))
    }

    /// `count` requests at once, spread over the instances at `ports`; their ids, in order.
    static func burst(_ count: Int, through ports: [Int], _ system: ServiceProcesses) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<count {
                group.addTask {
                    let accepted = try await call(system, ports[index % ports.count], "POST", "/api/v1/scheduling-requests", body: request(index))
                    return (index, try #require(accepted.json["requestId"] as? String, "\(accepted.status) \(accepted.text)"))
                }
            }
            return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Forty requests through two instances on a private server that restarts while they
    /// are in flight: every one is confirmed; none failed because the database was away.
    @Test(.timeLimit(.minutes(5))) func aDatabaseRestartDuringABurstIsWaitedOut() async throws {
        let system = try await ServiceProcesses()
        let server = try await PostgresTestServer.startPrivate()
        let url = try await server.newDatabase()
        let instances = try await Self.startInstances(2, on: url, system)
        let processes = instances.map(\.process)
        afterTest {
            for process in processes { await process.stop() }
            await system.stopAll()
            try? await server.stop()
        }
        // A third process under a name a live instance has is refused, naming the setting.
        var twin = system.environment
        twin["SCHEDULER_DATABASE_URL"] = url.absoluteString
        twin["SCHEDULER_INSTANCE_ID"] = "instance-0"
        twin["SCHEDULER_PORT"] = "\(try FreePort.next())"
        let refused = try BackgroundProcess("serve", arguments: ["serve"], environment: twin, logFile: system.directory.path("twin.log"))
        #expect(try await eventually(30) { !refused.process.isRunning }, "a second instance-0 must not run")
        #expect(await refused.stop() == 1)
        let twinLog = (try? String(contentsOfFile: system.directory.path("twin.log"), encoding: .utf8)) ?? ""
        #expect(twinLog.contains("SCHEDULER_INSTANCE_ID") && twinLog.contains("instance-0"), "\(twinLog.suffix(500))")

        try Self.startResponder(system)
        let requestIDs = try await Self.burst(40, through: instances.map(\.port), system)
        try await server.restart()
        var unconfirmed = 0
        for requestID in requestIDs {
            var last: [String: Any] = [:]
            let settled = try await eventually(150) {
                last = (try? await Self.call(system, instances[1].port, "GET", "/api/v1/scheduling-requests/\(requestID)").json) ?? [:]
                return ["confirmed", "failed", "needs-operator", "cancelled"].contains(last["state"] as? String ?? "")
            }
            #expect(settled && last["state"] as? String == "confirmed", "\(requestID): \(last["state"] ?? "?") \(last["error"] ?? "")")
            if !settled || last["state"] as? String != "confirmed" { unconfirmed += 1 }
        }
        // What the processes did, for a report from CI, which keeps no files.
        if unconfirmed > 0 { Issue.record("\(unconfirmed) not confirmed; the processes: \(system.logDigest())") }
        for (index, instance) in instances.enumerated() {
            let status = await instance.process.stop()
            #expect(status == 0, "instance \(index) \(instance.process.ending(status))")
        }
    }

    static func call(
        _ system: ServiceProcesses, _ port: Int, _ method: String, _ path: String, body: String? = nil
    ) async throws
        -> ServiceProcesses.Answer
    {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        request.setValue("Bearer \(system.token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return ServiceProcesses.Answer(status: http.statusCode, headers: [:], body: data)
    }
}
