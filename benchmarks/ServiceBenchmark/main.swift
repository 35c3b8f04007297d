// End-to-end scheduling throughput and latency through real processes: the development
// Kafka cluster, `scheduler serve` with the local calendar provider, and the availability
// responder (every interviewer answered from a sample feed). Requests go in over HTTP; the
// clock stops when `scheduling.confirmed` for the request arrives on Kafka. Printed next to
// the saga engine's raw transition rate measured by SagaEngineBenchmark in the same run.
// Each level also prints where the time went (medians per stage, from the POST's clock,
// librdkafka's timestamps of the messages between the processes and the service's step
// log), and the run ends with the peak resident memory of the service and the responder.
//
//   swift build -c release --product scheduler --product SagaEngineBenchmark --product ServiceBenchmark
//   .build/release/ServiceBenchmark [requests-per-level-multiplier]
//
// The consumers' `fetch.wait.max.ms` is the development configuration's 10 ms; the
// environment variable BENCH_FETCH_WAIT_MS sets another, to measure what the mock cluster's
// fetch wait costs (see RESULTS.md).
//
// Requests go over plain keep-alive connections (`PlainHTTP`, a thread per request in flight);
// `BENCH_HTTP_CLIENT=urlsession` sends them with URLSession instead, as runs before 2026-12-01 did.
//
// `BENCH_POSTGRES_INSTANCES=N` runs N `serve` instances on one private PostgreSQL server
// (scripts/postgres-server.sh, fsync on) instead of one on SQLite; requests go to them in turn.
//
// `ServiceBenchmark contention [requests]` measures the cost of the interviewer-time ledger
// instead: a burst of requests (default 200) that all share one three-person panel, then the
// same number on panels of their own, each burst sent at once; it prints how long each took
// to settle (confirmed or failed), their ratio, and the overlapping events on the calendars.
import Foundation
import Kafka
import Messaging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let scheduler = binaries.appendingPathComponent("scheduler")
let contention = CommandLine.arguments.dropFirst().first == "contention"
let multiplier = CommandLine.arguments.dropFirst(contention ? 2 : 1).first.flatMap(Int.init) ?? (contention ? 200 : 1)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("service-bench-\(UUID().uuidString.prefix(8))")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func start(_ arguments: [String], environment: [String: String] = [:], output: Pipe? = nil) throws -> Process {
    let process = Process()
    process.executableURL = scheduler
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = output ?? FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

let postgresInstances = Int(ProcessInfo.processInfo.environment["BENCH_POSTGRES_INSTANCES"] ?? "0") ?? 0
let ports = (0..<max(1, postgresInstances)).map { 28_080 + $0 }
let port = ports[0]
// A service left over from an earlier run would answer on the port and be measured instead.
for port in ports where (try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health/live")!)) != nil {
    FileHandle.standardError.write(Data("port \(port) is in use (a scheduler left over from an earlier run?)\n".utf8))
    exit(1)
}
/// The port of the instance that takes request `index`.
func port(for index: Int) -> Int { ports[abs(index) % ports.count] }

/// Runs a command to its end; its standard output.
@discardableResult
func shell(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self)
}
let postgresDirectory = work.appendingPathComponent("postgres").path
let postgresPort = 28_432
if postgresInstances > 0 {
    try shell([repository.appendingPathComponent("scripts/postgres-server.sh").path, "start", postgresDirectory, "\(postgresPort)"])
    try shell(["psql", "-h", postgresDirectory, "-p", "\(postgresPort)", "-U", "postgres", "-qc", "CREATE DATABASE scheduler"])
}
/// psql on the benchmark's database, unaligned, `|` between fields.
func psql(_ query: String) throws -> String {
    try shell(["psql", "-h", postgresDirectory, "-p", "\(postgresPort)", "-U", "postgres", "-d", "scheduler", "-At", "-F", "|", "-c", query])
}
let clusterOutput = Pipe()
let cluster = try start(["dev-cluster"], output: clusterOutput)
let bootstrap = String(decoding: clusterOutput.fileHandleForReading.availableData, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
let fetchWait = ProcessInfo.processInfo.environment["BENCH_FETCH_WAIT_MS"] ?? "10"
let environment = DevelopmentCluster.consumerEnvironment.merging([
    "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_CONSUMER_PROPERTY_FETCH_WAIT_MAX_MS": fetchWait,
    "SCHEDULER_DATA_DIR": work.appendingPathComponent("data").path, "SCHEDULER_PORT": "\(port)", "SCHEDULER_LOG_LEVEL": "error",
    "SCHEDULER_SAGAS_DIR": repository.appendingPathComponent("sagas").path,
    "SCHEDULER_JWT_SECRET": (0..<4).map { _ in UUID().uuidString }.joined(), "SCHEDULER_ORGANIZER_EMAIL": "interviews@scheduler.example",
    "SCHEDULER_MAIL_DIRECTORY": work.appendingPathComponent("mail").path,
]) { $1 }
let responderConfig = work.appendingPathComponent("responder.yaml")
try "interviewers:\n  \"*\": { feed: \(repository.appendingPathComponent("ical-samples/feeds/grace.ics").path), timeZone: America/New_York }\n"
    .write(to: responderConfig, atomically: true, encoding: .utf8)
let services = try ports.enumerated().map { index, port in
    var instance = environment
    instance["SCHEDULER_PORT"] = "\(port)"
    if postgresInstances > 0 {
        instance["SCHEDULER_DATABASE_URL"] = "postgres://postgres@127.0.0.1:\(postgresPort)/scheduler"
        instance["SCHEDULER_INSTANCE_ID"] = "bench-\(index)"
    }
    return try start(["serve"], environment: instance)
}
let service = services[0]
let responder = try start(
    ["availability-responder", "--config", responderConfig.path, "--data-directory", work.appendingPathComponent("responder").path],
    environment: environment)
func stopEverything() {
    for process in services + [responder, cluster] {
        process.terminate()
        process.waitUntilExit()
    }
    if postgresInstances > 0 { _ = try? shell([repository.appendingPathComponent("scripts/postgres-server.sh").path, "stop", postgresDirectory]) }
    try? FileManager.default.removeItem(at: work)
}

func get(_ path: String, port: Int = port) async -> Int {
    guard let url = URL(string: "http://127.0.0.1:\(port)\(path)"), let (_, response) = try? await URLSession.shared.data(from: url) else { return 0 }
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}
for port in ports.dropFirst() {
    for _ in 0..<300 where await get("/health/ready", port: port) != 200 { try await Task.sleep(for: .milliseconds(100)) }
}
for _ in 0..<300 where await get("/health/ready") != 200 {
    // A service that stopped (its port taken by one left over from an earlier run, say) must
    // not leave the run measuring whatever answers on the port.
    guard service.isRunning else {
        FileHandle.standardError.write(Data("scheduler serve exited at start-up (is port \(port) taken?)\n".utf8))
        stopEverything()
        exit(1)
    }
    try await Task.sleep(for: .milliseconds(100))
}
guard service.isRunning else {
    FileHandle.standardError.write(Data("scheduler serve exited at start-up\n".utf8))
    stopEverything()
    exit(1)
}

let tokenProcess = Process()
tokenProcess.executableURL = scheduler
tokenProcess.arguments = ["token"]
tokenProcess.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
let tokenPipe = Pipe()
tokenProcess.standardOutput = tokenPipe
try tokenProcess.run()
tokenProcess.waitUntilExit()
let token = String(decoding: tokenPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)

/// When each request's confirmation (or, in the contention run, its failure) arrived.
let confirmedAt = Mutex<[String: ContinuousClock.Instant]>([:])
/// Requests whose confirmation is awaited, resumed when it arrives (polling 100 waiters every
/// few milliseconds would take CPU from the processes being measured).
let awaiting = Mutex<[String: CheckedContinuation<ContinuousClock.Instant, Never>]>([:])

/// When the confirmation of `id` arrived, waiting for it if need be.
func confirmation(of id: String) async -> ContinuousClock.Instant {
    await withCheckedContinuation { continuation in
        // Under the lock of `confirmedAt`, so an arrival cannot slip between the look and the registration.
        let arrived = confirmedAt.withLock { arrived -> ContinuousClock.Instant? in
            if let instant = arrived[id] { return instant }
            awaiting.withLock { $0[id] = continuation }
            return nil
        }
        if let arrived { continuation.resume(returning: arrived) }
    }
}
/// The requests that failed (`error.occurred`).
let failed = Mutex<Set<String>>([])
/// Per request, when librdkafka stamped (produced) the messages between the processes, in
/// milliseconds since the epoch: the request, the last availability reply, the confirmation.
struct KafkaStamps {
    var requested: Int64?
    var lastReply: Int64?
    var confirmed: Int64?
}
let stamps = Mutex<[String: KafkaStamps]>([:])
let consumer = try KafkaConsumer(
    configuration: KafkaConfiguration(bootstrapServers: bootstrap, consumerProperties: ["fetch.wait.max.ms": fetchWait]),
    groupID: "bench-\(UUID().uuidString)",
    topics: [
        "enginedge.interview.scheduling.confirmed", "enginedge.interview.error.occurred", "enginedge.interview.scheduling.requested",
        "enginedge.interview.scheduling.availability",
    ])
let listening = Task {
    while let message = await consumer.next() {
        let now = ContinuousClock.now
        if let object = try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any],
            let id = (object["eventId"] as? String)?.split(separator: ":").first.map(String.init)
        {
            let stamp = message.timestamp
            switch message.topic {
            case "enginedge.interview.scheduling.requested":
                stamps.withLock { $0[id, default: KafkaStamps()].requested = stamp }
            case "enginedge.interview.scheduling.availability":
                stamps.withLock { $0[id, default: KafkaStamps()].lastReply = max($0[id]?.lastReply ?? 0, stamp ?? 0) }
            default:
                stamps.withLock { $0[id, default: KafkaStamps()].confirmed = stamp }
                let waiter = confirmedAt.withLock { arrived in
                    arrived[id] = now
                    return awaiting.withLock { $0.removeValue(forKey: id) }
                }
                waiter?.resume(returning: now)
                if message.topic.hasSuffix("error.occurred") { failed.withLock { _ = $0.insert(id) } }
            }
        }
        try? consumer.commit(message)
    }
}

let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval((contention ? 50 : 8) * 86_400))

/// `BENCH_HTTP_CLIENT=urlsession` sends the requests with URLSession, as runs before
/// `PlainHTTP` did, to compare what the client itself costs.
let usesURLSession = ProcessInfo.processInfo.environment["BENCH_HTTP_CLIENT"] == "urlsession"

/// POSTs a scheduling request to the instance on `port`; the answer's body.
func postRequest(_ body: String, port: Int) async throws -> Data {
    if usesURLSession {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/scheduling-requests")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return try await URLSession.shared.data(for: request).0
    }
    return try await PlainHTTP.post(
        port: port, path: "/api/v1/scheduling-requests", headers: [("Authorization", "Bearer \(token)")], body: Data(body.utf8)
    ).body
}

/// Posts `body`; returns the request id.
func post(_ body: String) async throws -> String {
    let data = try await postRequest(body, port: port)
    guard let id = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["requestId"] as? String else { throw CancellationError() }
    return id
}

if contention {
    /// A request in one zone, for the shared panel or one of its own.
    func body(_ index: Int, shared: Bool) -> String {
        let panel = (0..<3).map {
            #"{"name": "P\#($0)", "email": "\#(shared ? "shared" : "own\(index)")-\#($0)@bench.example", "timeZone": "Europe/London"}"#
        }
        return """
            {"candidate": {"id": "cand-\(index)", "name": "Candidate \(index)", "email": "c\(index)@candidates.example", "timeZone": "Europe/London"},
             "interviewers": [\(panel.joined(separator: ", "))], "durationMinutes": 60, "window": {"start": "\(from)", "end": "\(to)"}}
            """
    }
    /// Sends `count` requests at once and waits until every one has settled.
    func burst(_ count: Int, offset: Int, shared: Bool) async throws -> (seconds: Double, confirmed: Int) {
        let started = ContinuousClock.now
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<count { group.addTask { try await post(body(offset + index, shared: shared)) } }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        while confirmedAt.withLock({ settled in ids.contains { settled[$0] == nil } }) { try await Task.sleep(for: .milliseconds(5)) }
        let last = confirmedAt.withLock { settled in ids.compactMap { settled[$0] }.max() } ?? started
        return (seconds(last - started), ids.count - failed.withLock { failures in ids.filter { failures.contains($0) }.count })
    }
    _ = try await post(body(-1, shared: false))  // warm-up
    try await Task.sleep(for: .seconds(2))
    let sharedRun = try await burst(multiplier, offset: 0, shared: true)
    let disjointRun = try await burst(multiplier, offset: multiplier, shared: false)
    let overlaps = try overlappingEvents(in: work.appendingPathComponent("data/calendars.sqlite").path)
    FileHandle.standardOutput.write(
        Data(
            String(
                format: """
                    | burst | requests | confirmed | settled in s | requests/s |
                    |---|---:|---:|---:|---:|
                    | one shared 3-person panel | %d | %d | %.2f | %.1f |
                    | disjoint 3-person panels | %d | %d | %.2f | %.1f |

                    shared ÷ disjoint: %.2f; overlapping live events on any calendar: %d

                    """, multiplier, sharedRun.confirmed, sharedRun.seconds, Double(multiplier) / sharedRun.seconds, multiplier,
                disjointRun.confirmed, disjointRun.seconds,
                Double(multiplier) / disjointRun.seconds, sharedRun.seconds / disjointRun.seconds, overlaps
            ).utf8))
    await consumer.close()
    listening.cancel()
    stopEverything()
    exit(overlaps == 0 ? 0 : 1)
}

/// Pairs of live events of one calendar that overlap, read with sqlite3 from the local provider's file.
func overlappingEvents(in path: String) throws -> Int {
    let query = """
        SELECT COUNT(*) FROM local_event a JOIN local_event b ON a.calendar = b.calendar AND a.id < b.id
        WHERE a.status != 'cancelled' AND b.status != 'cancelled' AND a.start < b."end" AND b.start < a."end";
        """
    let sqlite = Process()
    sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    sqlite.arguments = ["sqlite3", path, query]
    let pipe = Pipe()
    sqlite.standardOutput = pipe
    try sqlite.run()
    sqlite.waitUntilExit()
    return Int(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}

/// When a request was posted and when the 202 came back, milliseconds since the epoch.
let posted = Mutex<[String: (sent: Int64, accepted: Int64)]>([:])

func epochMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// Posts one request and waits for its confirmation; returns the latency.
func schedule(_ index: Int) async throws -> Duration {
    let body = """
        {"candidate": {"id": "cand-\(index)", "name": "Candidate \(index)", "email": "c\(index)@candidates.example", "timeZone": "Europe/Berlin"},
         "interviewers": [{"name": "A", "email": "a\(index)@bench.example", "timeZone": "America/New_York"}, {"name": "B", "email": "b\(index)@bench.example", "timeZone": "Europe/London"}],
         "durationMinutes": 60, "window": {"start": "\(from)", "end": "\(to)"}}
        """
    let sent = ContinuousClock.now
    let sentAt = epochMilliseconds()
    let data = try await postRequest(body, port: port(for: index))
    let acceptedAt = epochMilliseconds()
    guard let id = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["requestId"] as? String else {
        throw BenchmarkFailure("POST /api/v1/scheduling-requests answered: \(String(decoding: data, as: UTF8.self))")
    }
    posted.withLock { $0[id] = (sentAt, acceptedAt) }
    return await confirmation(of: id) - sent
}

/// The service's step log, read with sqlite3: per saga, per `step/phase/outcome`, the last time.
func stepLog() throws -> [String: [String: Int64]] {
    let query = "SELECT saga_id, coalesce(step, ''), phase, outcome, MAX(at) FROM saga_step_log GROUP BY 1, 2, 3, 4;"
    let output = try postgresInstances > 0 ? psql(query) : shell(["sqlite3", work.appendingPathComponent("data/sagas.sqlite").path, query])
    var log: [String: [String: Int64]] = [:]
    for line in output.split(separator: "\n") {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5, let at = Int64(fields[4]) else { continue }
        log[fields[0], default: [:]]["\(fields[1])/\(fields[2])/\(fields[3])"] = at
    }
    return log
}

/// The stages of one request, in milliseconds, in order; nil where a mark is missing.
let stageNames = [
    "HTTP accept", "to scheduling.requested on Kafka", "responder (requested → last reply)", "reply → applied to the saga",
    "slot choice", "booking", "invitation", "announce → scheduling.confirmed on Kafka", "confirmed → seen by a consumer",
]
func stages(of id: String, log: [String: Int64], arrived: Int64) -> [Int64?] {
    guard let post = posted.withLock({ $0[id] }), let kafka = stamps.withLock({ $0[id] }) else {
        return Array(repeating: nil, count: stageNames.count)
    }
    let applied = log["request-availability/wait/eventApplied"]
    let chosen = log["choose-slot/action/succeeded"]
    let booked = log["book-calendars/action/succeeded"]
    let invited = log["issue-invitation/action/succeeded"]
    func span(_ from: Int64?, _ to: Int64?) -> Int64? {
        guard let from, let to else { return nil }
        return to - from
    }
    return [
        post.accepted - post.sent, span(post.sent, kafka.requested), span(kafka.requested, kafka.lastReply), span(kafka.lastReply, applied),
        span(applied, chosen), span(chosen, booked), span(booked, invited), span(invited, kafka.confirmed), span(kafka.confirmed, arrived),
    ]
}

/// CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat.
func cpuSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
    else { return 0 }
    // After the name: state is field 3, utime field 14 and stime field 15 of the whole line.
    let fields = stat[afterName.upperBound...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
/// The processes whose CPU time each level reports, by name.
let measuredProcesses: [(name: String, pid: Int32)] =
    services.enumerated().map { (services.count > 1 ? "service \($0.offset)" : "service", $0.element.processIdentifier) }
    + [("responder", responder.processIdentifier), ("dev cluster", cluster.processIdentifier), ("this benchmark", getpid())]

/// Peak resident memory of a process (VmHWM), in MiB.
func peakResidentMiB(_ process: Process) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return -1 }
    return kilobytes / 1024
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

FileHandle.standardOutput.write(Data("| requests in flight | requests | requests/s | p50 ms | p99 ms |\n|---:|---:|---:|---:|---:|\n".utf8))
var next = 0
var breakdown: [(inFlight: Int, medians: [Int64?])] = []
/// Per level, the CPU milliseconds each measured process used per request.
var cpuPerRequest: [(inFlight: Int, milliseconds: [Double])] = []
_ = try await schedule(-1)  // warm-up: connections, consumer assignment
for inFlight in [1, 10, 100] {
    let total = max(30, inFlight * 3) * multiplier
    let first = next
    next += total
    let started = ContinuousClock.now
    let startedAt = epochMilliseconds()
    let cpuBefore = measuredProcesses.map { cpuSeconds($0.pid) }
    let latencies = try await withThrowingTaskGroup(of: Duration.self) { group in
        var results: [Duration] = []
        var index = first
        for _ in 0..<inFlight {
            group.addTask { [index] in try await schedule(index) }
            index += 1
        }
        while let latency = try await group.next() {
            results.append(latency)
            if index < first + total {
                group.addTask { [index] in try await schedule(index) }
                index += 1
            }
        }
        return results.sorted()
    }
    let elapsed = seconds(ContinuousClock.now - started)
    let cpuUsed = zip(measuredProcesses, cpuBefore).map { process, before in (cpuSeconds(process.pid) - before) * 1000 / Double(total) }
    cpuPerRequest.append((inFlight, cpuUsed))
    let p50 = seconds(latencies[latencies.count / 2]) * 1000
    let p99 = seconds(latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]) * 1000
    FileHandle.standardOutput.write(
        Data(String(format: "| %d | %d | %.1f | %.0f | %.0f |\n", inFlight, total, Double(total) / elapsed, p50, p99).utf8))

    // Where the time went, per stage: the median over this level's requests.
    let log = try stepLog()
    let ids = posted.withLock { $0.filter { $0.value.sent >= startedAt }.map(\.key) }
    let arrivals = confirmedAt.withLock { $0 }
    let perRequest = ids.map { id -> [Int64?] in
        let arrivedAt = arrivals[id].map { startedAt + Int64(seconds($0 - started) * 1000) } ?? 0
        return stages(of: id, log: log[id] ?? [:], arrived: arrivedAt)
    }
    breakdown.append(
        (
            inFlight,
            stageNames.indices.map { stage in
                let values = perRequest.compactMap { $0[stage] }.sorted()
                return values.isEmpty ? nil : values[values.count / 2]
            }
        ))
}
FileHandle.standardOutput.write(
    Data(
        ("\nCPU time per request (ms, user + system, from /proc):\n\n| process | "
            + cpuPerRequest.map { "\($0.inFlight) in flight" }.joined(separator: " | ") + " |\n|---|"
            + cpuPerRequest.map { _ in "---:" }.joined(separator: "|") + "|\n").utf8))
for (index, process) in measuredProcesses.enumerated() {
    let cells = cpuPerRequest.map { String(format: "%.2f", $0.milliseconds[index]) }
    FileHandle.standardOutput.write(Data("| \(process.name) | \(cells.joined(separator: " | ")) |\n".utf8))
}
let servicePeak = services.map(peakResidentMiB).max() ?? 0
let responderPeak = peakResidentMiB(responder)
FileHandle.standardOutput.write(
    Data(
        ("\nWhere the time goes (median ms per stage):\n\n| stage | " + breakdown.map { "\($0.inFlight) in flight" }.joined(separator: " | ")
            + " |\n|---|" + breakdown.map { _ in "---:" }.joined(separator: "|") + "|\n").utf8))
for (index, name) in stageNames.enumerated() {
    let cells = breakdown.map { $0.medians[index].map { "\($0)" } ?? "–" }
    FileHandle.standardOutput.write(Data("| \(name) | \(cells.joined(separator: " | ")) |\n".utf8))
}
FileHandle.standardOutput.write(
    Data(
        (String(format: "\nPeak resident memory (VmHWM) after the run: service %.1f MiB", servicePeak)
            + (services.count > 1 ? " (the largest of \(services.count) instances)" : "")
            + String(format: ", responder %.1f MiB\n", responderPeak)).utf8))
await consumer.close()
listening.cancel()
stopEverything()

// The saga engine's raw transition rate, in the same run.
FileHandle.standardOutput.write(Data("\nSaga engine, same run (SagaEngineBenchmark 200 5):\n".utf8))
let engine = Process()
engine.executableURL = binaries.appendingPathComponent("SagaEngineBenchmark")
engine.arguments = ["200", "5"]
do {
    try engine.run()
    engine.waitUntilExit()
} catch {
    FileHandle.standardError.write(
        Data("cannot run \(engine.executableURL?.path ?? "SagaEngineBenchmark") (build it beside this one): \(error)\n".utf8))
    exit(1)
}
