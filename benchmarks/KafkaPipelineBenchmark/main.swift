// Consume → handle (inbox row + saga transition, one SQLite transaction) → produce via the
// outbox, through the development cluster; next to kcat producing and consuming the same
// number of messages against the same cluster, in the same run.
//
// Phases: the topic filled first, then consumed (like kcat's consume: the ratio's basis), in
// several rounds; the same number sent while the service consumes (the benchmark's own
// producer then shares the process and the clock); then paced at 100 a second, for latency
// without a queue; then the engine alone, the same events without Kafka.
// BENCH_BATCH sets the pipeline's batch size (the service's 256 by default).
//
// kcat's consume and the filled phase run `rounds` times each, one kcat read just before each
// of the service's rounds, and the ratio is that of their medians: one run of each, on a
// shared two-core machine, moved the ratio by a third from one run to the next.
//
//   swift run -c release KafkaPipelineBenchmark [messages] [rounds]
import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine
import SagaStore
import Synchronization

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000
let rounds = max(1, CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 5)
let paced = 300
let cluster = try DevelopmentCluster()
let bootstrap = cluster.mock.bootstrapServers

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// CPU seconds this process has used so far (user and system, every thread, the in-process
/// broker's and librdkafka's too): steadier on a shared machine than the wall clock, which
/// other tenants' load stretches.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

struct ProgramFailed: Error, CustomStringConvertible {
    let description: String
}

/// Runs a program to its end, its output to `output` (or nowhere); throws, with what it
/// wrote on stderr, if it failed.
func run(_ executable: String, _ arguments: [String], output: URL? = nil) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let errors = scratch.appendingPathComponent("stderr.txt")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    if let output { _ = FileManager.default.createFile(atPath: output.path, contents: nil) }
    process.standardOutput = try output.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: errors)
    // Not `waitUntilExit()`: on Linux it runs the run loop in slices of 50 ms, and early in
    // the run (nothing else waking the main thread) every program seemed to take 0.05 s.
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    exited.wait()
    guard process.terminationStatus == 0 else {
        let said = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        throw ProgramFailed(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(said)")
    }
}

/// The middle value; of an even count, the upper of the two in the middle.
func median(_ values: [Duration]) -> Duration {
    let sorted = values.sorted()
    return sorted.isEmpty ? .zero : sorted[sorted.count / 2]
}

/// `median (fastest–slowest)` in seconds.
func spread(_ values: [Duration]) -> String {
    String(format: "%.3f (%.3f–%.3f)", seconds(median(values)), seconds(values.min() ?? .zero), seconds(values.max() ?? .zero))
}

func availability(_ index: Int, sentAt: Int64) -> String {
    #"{"eventId":"bench-\#(index)","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"saga-\#(index)","sentAt":\#(sentAt),"availability":[{"start":"2026-03-10T14:00:00Z","end":"2026-03-10T15:00:00Z","available":true}],"conflicts":[]}}"#
}

// kcat's raw rate on the same cluster.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
let lines = scratch.appendingPathComponent("messages.txt")
try (0..<count).map { availability($0, sentAt: 0) }.joined(separator: "\n").appending("\n").write(to: lines, atomically: true, encoding: .utf8)
let clock = ContinuousClock()
let kcatProduce = try clock.measure { try run("/usr/bin/kcat", ["-b", bootstrap, "-P", "-t", "bench.raw", "-l", lines.path]) }
// Every message is in the topic before kcat's consume is timed (`-c` alone would wait for
// ever for a message that was not produced; `-e` ends the timed reads at the topic's end).
let offsets = scratch.appendingPathComponent("offsets.txt")
try run("/usr/bin/kcat", ["-b", bootstrap, "-C", "-t", "bench.raw", "-o", "beginning", "-e", "-q", "-f", "%o\\n"], output: offsets)
let inTopic = try String(contentsOf: offsets, encoding: .utf8).split(separator: "\n").count
guard inTopic == count else {
    FileHandle.standardError.write(Data("kcat produced \(inTopic) of \(count) messages\n".utf8))
    exit(1)
}
/// One timed read of the whole topic by kcat, with the service's fetch wait (the mock holds a
/// fetch for all of it, and kcat's default of 500 ms made one run in four read 0.55 s). Run
/// once before each of the service's rounds, while the service is paused, so that a slow
/// spell of the machine falls on both sides of the ratio alike.
func timedKcatConsume() throws -> Duration {
    try clock.measure {
        try run(
            "/usr/bin/kcat",
            ["-b", bootstrap, "-X", "fetch.wait.max.ms=10", "-C", "-t", "bench.raw", "-o", "beginning", "-c", "\(count)", "-e", "-q"])
    }
}

// The service's path.
let sagas = scratch.appendingPathComponent("sagas")
try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
try """
name: bench
version: 1
steps:
  - name: ask
    action: ask
    compensation: none
    wait: { event: scheduling.availability, correlation: requestId, onEvent: reply, deadline: 1h }
""".write(to: sagas.appendingPathComponent("bench.yaml"), atomically: true, encoding: .utf8)
var handlers = SQLiteSagaHandlers()
handlers.action("ask", requiresCompensation: false) { context in StepOutcome(awaitCorrelation: context.sagaID) }
handlers.onEvent("reply") { context, payload in
    let sentAt = payload["sentAt"]?.numberValue ?? 0
    let reply = OutboxMessage(id: "reply-\(context.sagaID)", topic: "bench.out", key: context.sagaID, payload: Data("\(Int64(sentAt))".utf8))
    return .complete(StepOutcome(messages: [reply]))
}
let store = try SagaStore(path: scratch.appendingPathComponent("bench.sqlite").path, durability: .normal)
let engine = SagaEngine(
    store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers, maxConcurrency: 16)
// Sagas 0..<rounds·count for the filled topic's rounds, then `count` while sending, then the
// paced ones, the warm-up's, and those for the engine alone.
let concurrentStart = rounds * count
let pacedStart = concurrentStart + count
let warmUp = pacedStart + paced
let engineAloneStart = warmUp + 1
let sqlFloorStart = engineAloneStart + count
for index in 0..<(sqlFloorStart + count) {
    try await engine.start(type: "bench", id: "saga-\(index)", partitionKey: "candidate-\(index % 50)", data: [:])
}
try await engine.runDueWork()

/// Counts what the broker confirmed, so that the end of a run is seen without querying the
/// database (a COUNT over every saga every few milliseconds took CPU from the path measured).
final class CountingPublisher: OutboxPublisher {
    let inner: KafkaOutboxPublisher
    let confirmed = Atomic<Int>(0)

    init(_ inner: KafkaOutboxPublisher) {
        self.inner = inner
    }

    func publish(_ message: OutboxMessage) async throws {
        try await inner.publish(message)
        confirmed.add(1, ordering: .relaxed)
    }

    func publish(_ batch: [OutboxMessage]) async -> [Result<Void, any Error>] {
        let results = await inner.publish(batch)
        confirmed.add(results.filter { (try? $0.get()) != nil }.count, ordering: .relaxed)
        return results
    }
}

let producer = try KafkaProducer(configuration: cluster.configuration)
let publisher = CountingPublisher(KafkaOutboxPublisher(producer: producer))
let relay = OutboxRelay(store: store, publisher: publisher, batchSize: 500)
let consumer = try KafkaConsumer(
    configuration: cluster.configuration, groupID: "interview-worker-main", topics: [Topic.schedulingAvailability.rawValue])
let decoder = InboundEventDecoder()
let decodedIDs = Mutex<Set<String>>([])
/// When the n-th distinct message was decoded, for each n in `stampedDecodes`: each filled
/// round's first (how long librdkafka took to fetch again after the resume) and last.
let decodeStamps = Mutex<[Int: ContinuousClock.Instant]>([:])
let stampedDecodes = Set((0..<rounds).flatMap { round in [2 + round * count, 1 + (round + 1) * count] })
let batchSize = Int(ProcessInfo.processInfo.environment["BENCH_BATCH"] ?? "") ?? 256
/// As the service reads availability (`AvailabilityDelivery`): checked strictly, then the
/// message's data, as parsed on the way, is the event for the waiting saga.
@Sendable func event(_ bytes: [UInt8], topic: String) throws -> InboundEvent {
    let (envelope, document) = try decoder.availabilityDocument(bytes)
    return InboundEvent(
        messageID: envelope.eventId, topic: topic, type: envelope.eventType, correlation: envelope.data.requestId,
        payload: try document?["data"] ?? JSONValue.encoding(envelope.data))
}
let pipeline = InboundPipeline(consumer: consumer, store: store, engine: engine, batchSize: batchSize) { message in
    let decoded = try event(message.value, topic: message.topic)
    // The warm-up's and the filled rounds', each counted once (a message the batch path leaves
    // to the one-at-a-time path is decoded again): once all of a round's are, it is consumed.
    let seen = decodedIDs.withLock { ids in ids.insert(decoded.messageID).inserted ? ids.count : nil }
    if let seen, stampedDecodes.contains(seen) { decodeStamps.withLock { $0[seen] = ContinuousClock.now } }
    return decoded
}
let relayTask = Task { await relay.run() }

func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
/// Waits until `expected` replies in all have been confirmed; ends the run, saying so, if that
/// takes more than two minutes (a message lost on the way would otherwise hang it).
func waitForReplies(_ expected: Int) async throws {
    let deadline = clock.now + .seconds(120)
    while publisher.confirmed.load(ordering: .relaxed) < expected {
        guard clock.now < deadline else {
            FileHandle.standardError.write(Data("only \(publisher.confirmed.load(ordering: .relaxed)) of \(expected) replies after 120 s\n".utf8))
            exit(1)
        }
        try await Task.sleep(for: .milliseconds(1))
    }
}

/// Sends the requests for `indices` at once; ends the run if the broker did not take them all.
func send(_ indices: Range<Int>) async {
    let failed = await producer.send(messages(indices)).filter { (try? $0.get()) == nil }.count
    guard failed == 0 else {
        FileHandle.standardError.write(Data("\(failed) of \(indices.count) messages were not produced\n".utf8))
        exit(1)
    }
}

func messages(_ indices: Range<Int>) -> [KafkaProducerMessage] {
    indices.map {
        KafkaProducerMessage(
            topic: Topic.schedulingAvailability.rawValue, key: Array("candidate-\($0 % 50)".utf8),
            value: Array(availability($0, sentAt: nowMilliseconds()).utf8))
    }
}

// Warm-up: one round trip, handled by hand, so that group membership and connections are in
// place. Then fetching stops while the topic fills, so that, as for kcat, every message is
// still in the broker when the clock starts.
_ = try await producer.send(
    KafkaProducerMessage(
        topic: Topic.schedulingAvailability.rawValue, key: Array("warm-up".utf8), value: Array(availability(warmUp, sentAt: nowMilliseconds()).utf8)))
await pipeline.handle(await consumer.next(upTo: 1))
try await waitForReplies(1)
try await consumer.setPaused(true)

// Each round: the topic filled, then consumed from the moment fetching resumes. The phases
// are named on stderr, for attaching a profiler.
struct FilledRound {
    var seconds: Duration
    var cpuSeconds: Double
    var firstDecoded: Duration
    var lastDecoded: Duration
}
var filledRounds: [FilledRound] = []
var kcatConsumes: [Duration] = []
let pipelineTask = Task { await pipeline.run() }
for round in 0..<rounds {
    if round > 0 { try await consumer.setPaused(true) }
    await send(round * count..<(round + 1) * count)
    kcatConsumes.append(try timedKcatConsume())
    FileHandle.standardError.write(Data("phase: filled, round \(round + 1)\n".utf8))
    let started = clock.now
    let cpuStarted = processCPUSeconds()
    try await consumer.setPaused(false)
    try await waitForReplies(1 + (round + 1) * count)
    let stamps = decodeStamps.withLock { $0 }
    filledRounds.append(
        FilledRound(
            seconds: clock.now - started, cpuSeconds: processCPUSeconds() - cpuStarted,
            firstDecoded: stamps[2 + round * count].map { $0 - started } ?? .zero,
            lastDecoded: stamps[1 + (round + 1) * count].map { $0 - started } ?? .zero))
}
let filled = median(filledRounds.map(\.seconds))
let kcatConsume = median(kcatConsumes)

// Saturated: everything sent at once while the service consumes.
FileHandle.standardError.write(Data("phase: saturated\n".utf8))
let started = clock.now
await send(concurrentStart..<pacedStart)
try await waitForReplies(1 + (rounds + 1) * count)
let saturated = clock.now - started

// Paced: 100 messages a second, for latency without a queue.
FileHandle.standardError.write(Data("phase: paced\n".utf8))
for index in pacedStart..<warmUp {
    await send(index..<index + 1)
    try await Task.sleep(for: .milliseconds(10))
}
try await waitForReplies(1 + (rounds + 1) * count + paced)
await consumer.close()
pipelineTask.cancel()
relayTask.cancel()

// The engine alone: the same messages decoded and handed to the engine in batches, one
// batch after another, without Kafka or the relay: the path's floor on this machine.
FileHandle.standardError.write(Data("phase: engine alone\n".utf8))
let engineAloneStarted = clock.now
let engineAloneCPUStarted = processCPUSeconds()
for first in stride(from: engineAloneStart, to: engineAloneStart + count, by: batchSize) {
    let indices = first..<min(first + batchSize, engineAloneStart + count)
    let events = try indices.map { try event(Array(availability($0, sentAt: 0).utf8), topic: Topic.schedulingAvailability.rawValue) }
    let outcomes = await engine.deliver(batch: events, lanes: indices.map { $0 % 50 })
    guard outcomes.allSatisfy({ if case .applied = $0 { true } else { false } }) else {
        FileHandle.standardError.write(Data("the engine did not apply every event of a batch: \(outcomes)\n".utf8))
        try? FileManager.default.removeItem(at: scratch)
        exit(1)
    }
}
let engineAlone = clock.now - engineAloneStarted
let engineAloneCPU = processCPUSeconds() - engineAloneCPUStarted

// The SQL alone: the statements the path runs for each message, with fixed values and no
// decoding, handlers or Kafka, in the same batches and the same transactions: the snapshot's
// two reads, the inbox row, the saga's update, its two log lines and the reply's outbox row in
// one write, then the relay's read of the pending replies and its one update marking them
// published. What the store itself costs, whatever the Swift around it does.
FileHandle.standardError.write(Data("phase: SQL alone\n".utf8))
let sqlFloor = try await SQLFloor(store: store, first: sqlFloorStart, count: count, batchSize: batchSize).run()
FileHandle.standardError.write(Data("phase: latency\n".utf8))

// Latency: from the request's send to the reply's production (both stamped by librdkafka here).
let reader = try KafkaConsumer(configuration: cluster.configuration, groupID: "bench-reader", topics: ["bench.out"])
var latencies: [(index: Int, milliseconds: Int64)] = []
while latencies.count < 1 + (rounds + 1) * count + paced, let message = await reader.next() {
    let sentAt = Int64(String(decoding: message.value, as: UTF8.self)) ?? 0
    let index = Int(String(decoding: message.key ?? [], as: UTF8.self).split(separator: "-").last ?? "") ?? 0
    latencies.append((index, (message.timestamp ?? 0) - sentAt))
}
await reader.close()
await producer.shutdown()

func percentile(_ values: [Int64], _ p: Double) -> Int64 {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
let saturatedLatencies = latencies.filter { $0.index >= concurrentStart && $0.index < pacedStart }.map(\.milliseconds)
let pacedLatencies = latencies.filter { $0.index >= pacedStart && $0.index < warmUp }.map(\.milliseconds)
print("| path | messages | seconds | messages/s | p50 ms | p99 ms | CPU s (the whole process) |")
print("|---|---:|---:|---:|---:|---:|---:|")
print(String(format: "| kcat produce (raw) | %d | %.3f | %.0f | | | |", count, seconds(kcatProduce), Double(count) / seconds(kcatProduce)))
print(
    String(
        format: "| kcat consume (raw, median of %d: %@ s) | %d | %.3f | %.0f | | | |", rounds, spread(kcatConsumes), count, seconds(kcatConsume),
        Double(count) / seconds(kcatConsume)))
let filledCPU = filledRounds.map(\.cpuSeconds).sorted()[rounds / 2]
print(
    String(
        format:
            "| service, topic filled first: consume → inbox + saga → outbox → produce (median of %d rounds: %@ s) | %d | %.3f | %.0f | | | %.3f |",
        rounds, spread(filledRounds.map(\.seconds)), count, seconds(filled), Double(count) / seconds(filled), filledCPU))
print(
    String(
        format: "| … until its first message was decoded (librdkafka fetching again after the resume; median) | 1 | %.3f | | | | |",
        seconds(median(filledRounds.map(\.firstDecoded)))))
print(
    String(
        format: "| … of which consumed (its last message decoded; median) | %d | %.3f | | | | |", count,
        seconds(median(filledRounds.map(\.lastDecoded)))))
print(
    String(
        format: "| service, sent all at once while consuming | %d | %.3f | %.0f | %lld | %lld | |", count, seconds(saturated),
        Double(count) / seconds(saturated), percentile(saturatedLatencies, 0.5), percentile(saturatedLatencies, 0.99)))
print(
    String(format: "| service, paced at 100/s | %d | | | %lld | %lld | |", paced, percentile(pacedLatencies, 0.5), percentile(pacedLatencies, 0.99)))
print(
    String(
        format: "| the engine alone: decode → inbox + saga → outbox, batches one after another, no Kafka | %d | %.3f | %.0f | | | %.3f |",
        count, seconds(engineAlone), Double(count) / seconds(engineAlone), engineAloneCPU))
print(
    String(
        format: "| the SQL alone: the same statements per batch, fixed values, one thread, no Kafka | %d | %.3f | %.0f | | | %.3f |", count,
        seconds(sqlFloor.elapsed), Double(count) / seconds(sqlFloor.elapsed), sqlFloor.cpuSeconds))
print(
    String(
        format: "| … of which its writes (one writer at a time: the wall time's floor on any number of cores) | %d | %.3f | %.0f | | | |", count,
        seconds(sqlFloor.writing), Double(count) / seconds(sqlFloor.writing)))
print("")
print(String(format: "service (topic filled first) / kcat consume throughput, medians: %.2f", seconds(kcatConsume) / seconds(filled)))
print("… the filled rounds, in order (s):", filledRounds.map { String(format: "%.3f", seconds($0.seconds)) }.joined(separator: " "))
print(String(format: "service (sent while consuming, one run) / kcat consume throughput (median): %.2f", seconds(kcatConsume) / seconds(saturated)))
print(
    String(
        format: "the SQL alone / kcat consume throughput (median): %.2f; its writes alone: %.2f", seconds(kcatConsume) / seconds(sqlFloor.elapsed),
        seconds(kcatConsume) / seconds(sqlFloor.writing)))
// `exit` skips top-level `defer`s: the scratch directory goes first.
try? FileManager.default.removeItem(at: scratch)
exit(0)
