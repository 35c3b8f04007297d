import Foundation
import SchedulerTestScopes
import SchedulerTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `serve` without `--embedded` refuses development defaults; `serve --embedded` runs on them.
@Suite("serve: production and embedded modes", .serialized, .runsAfterTestWork)
struct ServeModesTests {
    let scheduler = BuiltProducts.executable("scheduler")

    /// Only what a bare shell has: no SCHEDULER_* or KAFKA_* from the test's own environment.
    func bare(_ settings: [String: String]) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "LANG"].contains($0.key) }
        return inherited.merging(settings) { _, new in new }
    }

    @Test(arguments: [
        ([:], "SCHEDULER_JWT_SECRET"),
        (["SCHEDULER_JWT_SECRET": "too-short"], "SCHEDULER_JWT_SECRET"),
        (["SCHEDULER_JWT_SECRET": String(repeating: "s", count: 40)], "KAFKA_BOOTSTRAP_SERVERS"),
        (["SCHEDULER_JWT_SECRET": String(repeating: "s", count: 40), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"], "SCHEDULER_ORGANIZER_EMAIL"),
        (
            [
                "SCHEDULER_JWT_SECRET": String(repeating: "s", count: 40), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
                "SCHEDULER_ORGANIZER_EMAIL": "interviews@scheduler.example",
            ], "SCHEDULER_SMTP_URL"
        ),
    ])
    func productionStopsAtStartUpNamingTheMissingSetting(settings: [String: String], variable: String) async throws {
        let directory = try TemporaryDirectory(prefix: "serve-refusal")
        defer { directory.remove() }
        let result = try await ChildProcess(
            executable: scheduler, arguments: ["serve"],
            environment: bare(settings.merging(["SCHEDULER_DATA_DIR": directory.path("data")]) { a, _ in a })
        ).run()
        #expect(result.status != 0)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains(variable) == true, "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("data")), "nothing was started or written")
    }

    @Test func aTokenNeedsTheServicesKey() async throws {
        let directory = try TemporaryDirectory(prefix: "token-refusal")
        defer { directory.remove() }
        let result = try await ChildProcess(
            executable: scheduler, arguments: ["token"], environment: bare(["SCHEDULER_DATA_DIR": directory.path("data")])
        ).run()
        #expect(result.status != 0 && result.standardOutput.isEmpty)
        #expect(result.standardError.contains("SCHEDULER_JWT_SECRET"), "\(result.standardError)")
    }

    /// The long-running commands ignore SIGPIPE: a write to a socket or pipe whose other end
    /// has gone fails instead of ending the process. Their parent here leaves every signal at
    /// its default, as a shell or a service manager does.
    @Test func longRunningCommandsOutliveBrokenPipes() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        try await system.startService()
        try system.startResponder()
        for process in [system.cluster, system.service, system.responder].compactMap({ $0 }) {
            let ignoresBrokenPipes = try await eventually(30) {
                let status = (try? String(contentsOfFile: "/proc/\(process.process.processIdentifier)/status", encoding: .utf8)) ?? ""
                let ignored = status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }?.split(separator: "\t").last
                return ignored.flatMap { UInt64($0, radix: 16) }.map { $0 & (1 << (UInt64(SIGPIPE) - 1)) != 0 } ?? false
            }
            #expect(ignoresBrokenPipes, "\(process.name) ignores SIGPIPE")
        }
    }

    /// Embedded with nothing set: an in-process Kafka, a key of its own in the data
    /// directory, and `scheduler token` signing with that key.
    @Test func embeddedModeStartsOnNothingAndItsTokensWork() async throws {
        let directory = try TemporaryDirectory(prefix: "serve-embedded")
        defer { directory.remove() }
        let port = try FreePort.next()
        let environment = bare([
            "SCHEDULER_DATA_DIR": directory.path("data"), "SCHEDULER_PORT": "\(port)",
            "SCHEDULER_SAGAS_DIR": BuiltProducts.repositoryRoot.appendingPathComponent("sagas").path,
        ])
        let service = try BackgroundProcess(
            "serve", arguments: ["serve", "--embedded"], environment: environment, logFile: directory.path("service.log"))
        afterTest { await service.stop() }
        func status(_ path: String, token: String? = nil) async throws -> Int {
            var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            let (_, response) = try await URLSession.shared.data(for: request)
            return try #require(response as? HTTPURLResponse).statusCode
        }
        #expect(try await eventually(60) { try await status("/health/ready") == 200 }, "the embedded service became ready")
        let token = try await ChildProcess(executable: scheduler, arguments: ["token"], environment: environment).run()
        #expect(token.status == 0, "\(token.standardError)")
        let signed = token.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await status("/api/v1/scheduling-requests/unknown", token: signed) == 404, "the embedded key's token is accepted")

        let foreign = try await ChildProcess(
            executable: scheduler, arguments: ["token"],
            environment: environment.merging(["SCHEDULER_JWT_SECRET": String(repeating: "x", count: 32)]) { _, new in new }
        ).run()
        let foreignToken = foreign.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await status("/api/v1/scheduling-requests/unknown", token: foreignToken) == 401, "a token signed with another key is refused")
        let exitStatus = await service.stop()
        #expect(exitStatus == 0, "SIGTERM stops it cleanly; it \(service.ending(exitStatus))")
    }

    /// A port another process listens on stops `serve` with an error naming the setting.
    /// Before, the HTTP server's failure cancelled the other services, and the consumer's
    /// loop, waiting for messages, never noticed: the process went on consuming with no API,
    /// and never exited.
    @Test func aTakenPortStopsServeNamingTheSetting() async throws {
        let directory = try TemporaryDirectory(prefix: "serve-port-taken")
        defer { directory.remove() }
        let listener = try ListeningSocket()
        defer { listener.close() }
        let service = try BackgroundProcess(
            "serve", arguments: ["serve", "--embedded"],
            environment: bare([
                "SCHEDULER_DATA_DIR": directory.path("data"), "SCHEDULER_PORT": "\(listener.port)",
                "SCHEDULER_SAGAS_DIR": BuiltProducts.repositoryRoot.appendingPathComponent("sagas").path,
            ]), logFile: directory.path("service.log"))
        afterTest { await service.kill() }
        let exited = try await eventually(60) { !service.process.isRunning }
        #expect(exited, "serve exited by itself")
        guard exited else { return }  // it would not answer SIGTERM either; afterTest kills it
        #expect(service.process.termination != .exited(0))
        let log = try String(contentsOfFile: directory.path("service.log"), encoding: .utf8)
        #expect(log.contains("SCHEDULER_PORT") && log.contains("\(listener.port)"), "\(log)")
    }

    /// `make run`'s responder answers for addresses it has no feed for, so a newcomer's own
    /// panel is booked within working hours instead of waiting out the deadline.
    @Test func embeddedModeBooksANewcomersOwnInterviewers() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        try await system.startService(embedded: true)
        try system.startResponder(embedded: true)
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(8 * 86_400))
        let body = """
            {"candidate": {"id": "cand-new", "name": "New Candidate", "email": "new@candidates.example", "timeZone": "Europe/Paris"},
             "interviewers": [{"name": "Me", "email": "me@my-company.example", "timeZone": "Europe/Paris"},
                              {"name": "Colleague", "email": "colleague@my-company.example", "timeZone": "America/Chicago"}],
             "durationMinutes": 45, "window": {"start": "\(from)", "end": "\(to)"}}
            """
        let accepted = try await system.request("POST", "/api/v1/scheduling-requests", body: body, headers: ["Content-Type": "application/json"])
        #expect(accepted.status == 202, "\(accepted.text)")
        let requestID = try #require(accepted.json["requestId"] as? String)
        let state = try await system.waitForState(requestID, ["confirmed", "failed", "needs-operator"], seconds: 30)
        #expect(state["state"] as? String == "confirmed", "\(state)")
        let log = try String(contentsOfFile: system.directory.path("responder.log"), encoding: .utf8)
        #expect(log.contains("me@my-company.example") && log.contains("working hours only, no busy time"), "the reply's log line says so")
    }
}
