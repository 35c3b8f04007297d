import Foundation
import Messaging
import SchedulerTesting
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A long-running child process whose standard error goes to a file.
final class BackgroundProcess: Sendable {
    let process: SpawnedProcess
    let name: String
    let logFile: String

    init(_ name: String, arguments: [String], environment: [String: String], logFile: String, standardOutput: Pipe? = nil) throws {
        self.name = name
        self.logFile = logFile
        process = try SpawnedProcess(
            executable: BuiltProducts.executable("scheduler"), arguments: arguments,
            environment: BuiltProducts.childEnvironment(environment),
            standardOutput: standardOutput.map { .descriptor($0.fileHandleForWriting.fileDescriptor) } ?? .null, standardError: .file(logFile))
        // Only the child writes to the pipe now: its exit ends a read.
        try standardOutput?.fileHandleForWriting.close()
    }

    /// SIGKILL, and waits for the exit without blocking a thread (the kernel may take a while
    /// to tear down a large process on a loaded machine).
    func kill() async {
        process.send(SIGKILL)
        await process.exit()
    }

    /// SIGTERM, then the exit status. The graceful stop may take seconds; one that takes over
    /// a minute is a hang: the process is killed and -1 returned, so the test fails instead of
    /// waiting for ever.
    @discardableResult
    func stop() async -> Int32 {
        process.send(SIGTERM)
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else {
            await kill()
            return -1
        }
        return await process.exit().status
    }

    /// How the process ended, given what `stop()` returned, and the last warnings, errors and
    /// lines that are not JSON (a crash's message, the command's "Error: …") in its log, for
    /// a failing test's report (CI keeps nothing of the temporary directory).
    func ending(_ status: Int32, last: Int = 12) -> String {
        let lines = ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n")
        let problems = lines.filter { line in
            !line.hasPrefix("{") || ["warning", "error", "critical"].contains { line.contains("\"level\":\"\($0)\"") }
        }
        let how = status == -1 ? "did not stop within a minute" : process.termination?.description ?? "is still running"
        return ([how] + problems.suffix(last).map { String($0.prefix(500)) }).joined(separator: "\n")
    }
}

/// The development cluster, the service and the availability responder as separate
/// processes, each with its own files in a temporary directory.
final class ServiceProcesses: @unchecked Sendable {
    let directory: TemporaryDirectory
    let bootstrap: String
    let port: Int
    let cluster: BackgroundProcess
    var service: BackgroundProcess?
    var responder: BackgroundProcess?
    let token: String
    /// What the service and the responder are started with (a test may add to it first).
    var environment: [String: String]
    /// Every exchange with the API, as scripts/check_api_responses.py reads them.
    private let exchanges = Mutex<[String]>([])
    var recordedExchanges: String { exchanges.withLock { $0.joined(separator: "\n") + "\n" } }

    init() async throws {
        directory = try TemporaryDirectory(prefix: "service-e2e")
        let output = Pipe()
        cluster = try BackgroundProcess(
            "dev-cluster", arguments: ["dev-cluster"], environment: [:], logFile: directory.path("dev-cluster.log"), standardOutput: output)
        let reading = output.fileHandleForReading
        let printed = await onOwnThread { reading.availableData }
        let firstLine = String(decoding: printed, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        try #require(firstLine.hasPrefix("127.0.0.1:"), "dev-cluster printed \(firstLine)")
        bootstrap = firstLine
        port = try FreePort.next()
        environment = DevelopmentCluster.consumerEnvironment.merging([
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "SCHEDULER_DATA_DIR": directory.path("data"), "SCHEDULER_PORT": "\(port)", "SCHEDULER_LOG_FORMAT": "json",
            "SCHEDULER_SAGAS_DIR": BuiltProducts.repositoryRoot.appendingPathComponent("sagas").path,
            // Production mode: every setting a deployment must choose is chosen, the signing key fresh per run.
            "SCHEDULER_JWT_SECRET": (0..<4).map { _ in UUID().uuidString }.joined(), "SCHEDULER_ORGANIZER_EMAIL": "interviews@scheduler.example",
            // The candidate's mail as files, unless a test points the service at an SMTP server.
            "SCHEDULER_MAIL_DIRECTORY": directory.path("mail"),
        ]) { $1 }
        token = try await Self.token(subject: "recruiter@example.com", role: "recruiter", environment: environment)
    }

    /// A bearer token signed with this service's key.
    func token(subject: String, role: String) async throws -> String {
        try await Self.token(subject: subject, role: role, environment: environment)
    }

    private static func token(subject: String, role: String, environment: [String: String]) async throws -> String {
        let result = try await ChildProcess(
            executable: BuiltProducts.executable("scheduler"), arguments: ["token", "--subject", subject, "--role", role],
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        ).run()
        try #require(result.status == 0, "scheduler token: \(result.standardError)")
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends the candidate's mail to `smtp` (STARTTLS with its certificate, AUTH as it expects).
    func sendMail(to smtp: SMTPTestServer, user: String, password: String) throws {
        try "\(password)\n".write(toFile: directory.path("smtp-password"), atomically: true, encoding: .utf8)
        environment.merge([
            "SCHEDULER_SMTP_URL": smtp.url.absoluteString, "SCHEDULER_SMTP_USERNAME": user,
            "SCHEDULER_SMTP_PASSWORD_FILE": directory.path("smtp-password"), "SCHEDULER_SMTP_CA_FILE": smtp.certificate ?? "",
        ]) { $1 }
    }

    func startService(embedded: Bool = false) async throws {
        service = try BackgroundProcess(
            "serve", arguments: ["serve"] + (embedded ? ["--embedded"] : []), environment: environment,
            logFile: directory.path("service-\(UUID().uuidString.prefix(4)).log"))
        try #require(try await eventually(30) { try await self.get("/health/ready").status == 200 }, "the service did not become ready")
    }

    func startResponder(embedded: Bool = false) throws {
        responder = try BackgroundProcess(
            "responder",
            arguments: ["availability-responder"] + (embedded ? ["--embedded"] : []) + [
                "--samples", BuiltProducts.repositoryRoot.appendingPathComponent("ical-samples").path, "--data-directory",
                directory.path("responder"),
            ],
            environment: environment, logFile: directory.path("responder.log"))
    }

    /// What the processes' logs say, for a failing test's report (CI keeps nothing of the
    /// temporary directory): per log, its length, how often partitions were assigned and
    /// availability answered, and its last warnings and errors.
    func logDigest(lastProblems: Int = 8) -> String {
        let states = [("dev-cluster", cluster), ("service", service), ("responder", responder)].map { name, process in
            guard let process = process?.process else { return "\(name): not started" }
            return "\(name): \(process.termination?.description ?? "running")"
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.url.path)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
        return names.map { name in
            let lines = ((try? String(contentsOfFile: directory.path(name), encoding: .utf8)) ?? "").split(separator: "\n")
            let problems = lines.filter {
                $0.contains("\"level\":\"warning\"") || $0.contains("\"level\":\"error\"") || $0.contains("\"level\":\"critical\"")
                    || $0.contains(" error ")
            }
            let assigned = lines.count { $0.contains("partitions assigned") }
            let answered = lines.count { $0.contains("availability answered") }
            let summary = "\(name): \(lines.count) lines, partitions assigned \(assigned)x, availability answered \(answered)x"
            return ([summary] + problems.suffix(lastProblems).map { "  \($0.prefix(400))" }).joined(separator: "\n")
        }.joined(separator: "\n") + "\n" + states.joined(separator: "; ")
    }

    func stopAll() async {
        await service?.stop()
        await responder?.stop()
        await cluster.stop()
        directory.remove()
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func request(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:], authorized: Bool = true
    ) async throws -> Answer {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if authorized { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        let record: [String: Any] = [
            "method": method, "path": path, "status": http.statusCode, "contentType": fields["content-type"] ?? "",
            "body": String(decoding: data, as: UTF8.self),
        ]
        if let line = try? JSONSerialization.data(withJSONObject: record) { exchanges.withLock { $0.append(String(decoding: line, as: UTF8.self)) } }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String) async throws -> Answer {
        try await request("GET", path)
    }

    /// A panel request over the coming `days` from tomorrow: Grace (New York) and Alan
    /// (London) from the sample feeds, plus `extra` interviewers. They share two hours a
    /// weekday, some taken by the feeds' meetings.
    static func panelRequest(extra: [(String, String, String)] = [], candidate: String = "cand-ada", days: Int = 7) -> String {
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(Double(days + 1) * 86_400))
        let interviewers =
            ([("Grace Hopper", "grace@example.com", "America/New_York"), ("Alan Turing", "alan@example.com", "Europe/London")] + extra)
            .map { #"{"name": "\#($0.0)", "email": "\#($0.1)", "timeZone": "\#($0.2)"}"# }.joined(separator: ", ")
        return """
            {"candidate": {"id": "\(candidate)", "name": "Ada Lovelace", "email": "ada@candidates.example", "timeZone": "Europe/Berlin"},
             "interviewers": [\(interviewers)], "durationMinutes": 60, "window": {"start": "\(from)", "end": "\(to)"},
             "ranking": "humane", "title": "Panel interview: Ada Lovelace", "meetingUrl": "https://meet.example/ada"}
            """
    }

    func waitForState(_ requestID: String, _ states: Set<String>, seconds: Double = 60) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        let reached = try await eventually(seconds) {
            last = try await self.get("/api/v1/scheduling-requests/\(requestID)").json
            return states.contains(last["state"] as? String ?? "")
        }
        try #require(reached, "request \(requestID) stayed \(last["state"] ?? "?"): \(last["error"] ?? "")")
        return last
    }
}

/// Runs a program from PATH.
func run(_ program: String, _ arguments: [String], input: String = "") async throws -> ChildProcess.Result {
    try await ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: [program] + arguments).run(input: Data(input.utf8))
}
