// Consume → handle (inbox row + saga transition, one SQLite transaction) → produce via the
// outbox, through the development cluster; next to kcat producing and consuming the same
// number of messages against the same cluster, in the same run.
//
// Phases: the topic filled first, then consumed (like kcat's consume: the ratio's basis);
// the same number sent while the service consumes (the benchmark's own producer then shares
// the process and the clock); then paced at 100 a second, for latency without a queue; then
// the engine alone, the same events without Kafka.
// BENCH_BATCH sets the pipeline's batch size (the service's 256 by default).
//
//   swift run -c release KafkaPipelineBenchmark [messages]
import Events
import Foundation
import Kafka
import Messaging
import SagaCore
import SagaEngine
import SagaStore
import Synchronization

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000
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

func run(_ executable: String, _ arguments: [String], input: URL? = nil) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let input { process.standardInput = try FileHandle(forReadingFrom: input) }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
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
// With the service's fetch wait (the mock holds a fetch for all of it, and kcat's default of
// 500 ms made one run in four read 0.55 s), best of three: the reference is the ceiling.
let kcatConsume =
    try (0..<3).map { _ in
        try clock.measure {
            try run(
                "/usr/bin/kcat", ["-b", bootstrap, "-X", "fetch.wait.max.ms=10", "-C", "-t", "bench.raw", "-o", "beginning", "-c", "\(count)", "-q"])
        }
    }.min() ?? .zero

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
// Sagas 0..<count for the filled topic, count..<2·count while sending, then the paced ones,
// the warm-up's, and those for the engine alone.
let concurrentStart = count
let pacedStart = 2 * count
let warmUp = pacedStart + paced
let engineAloneStart = warmUp + 1
for index in 0..<(engineAloneStart + count) {
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
let lastDecoded = Mutex<ContinuousClock.Instant?>(nil)
/// When the filled topic's first message was decoded: how long librdkafka took to fetch again
/// after the resume.
let firstDecoded = Mutex<ContinuousClock.Instant?>(nil)
// As the service reads availability (`AvailabilityDelivery`): checked strictly, then the
// message's data, as parsed on the way, is the event for the waiting saga.
let batchSize = Int(ProcessInfo.processInfo.environment["BENCH_BATCH"] ?? "") ?? 256
let pipeline = InboundPipeline(consumer: consumer, store: store, engine: engine, batchSize: batchSize) { message in
    let (envelope, document) = try decoder.availabilityDocument(message.value)
    // The warm-up's and the filled topic's, each counted once (a message the batch path leaves
    // to the one-at-a-time path is decoded again): once all are, the topic is consumed.
    let decoded = decodedIDs.withLock { ids in ids.insert(envelope.eventId).inserted ? ids.count : nil }
    if decoded == 2 { firstDecoded.withLock { $0 = ContinuousClock.now } }
    if decoded == count + 1 { lastDecoded.withLock { $0 = ContinuousClock.now } }
    let payload = try document?["data"] ?? JSONValue.encoding(envelope.data)
    return InboundEvent(
        messageID: envelope.eventId, topic: message.topic, type: envelope.eventType, correlation: envelope.data.requestId, payload: payload)
}
let relayTask = Task { await relay.run() }

func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
func waitForReplies(_ expected: Int) async throws {
    while publisher.confirmed.load(ordering: .relaxed) < expected { try await Task.sleep(for: .milliseconds(1)) }
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

// The topic filled, then consumed from the moment fetching resumes. The phases are named on
// stderr, for attaching a profiler.
_ = await producer.send(messages(0..<count))
FileHandle.standardError.write(Data("phase: filled\n".utf8))
let filledStarted = clock.now
let filledCPUStarted = processCPUSeconds()
try await consumer.setPaused(false)
let pipelineTask = Task { await pipeline.run() }
try await waitForReplies(count + 1)
let filled = clock.now - filledStarted
let filledCPU = processCPUSeconds() - filledCPUStarted
let filledDecoded = lastDecoded.withLock { $0 }.map { $0 - filledStarted } ?? .zero
let filledFirstDecoded = firstDecoded.withLock { $0 }.map { $0 - filledStarted } ?? .zero

// Saturated: everything sent at once while the service consumes.
FileHandle.standardError.write(Data("phase: saturated\n".utf8))
let started = clock.now
_ = await producer.send(messages(concurrentStart..<pacedStart))
try await waitForReplies(2 * count + 1)
let saturated = clock.now - started

// Paced: 100 messages a second, for latency without a queue.
FileHandle.standardError.write(Data("phase: paced\n".utf8))
for index in pacedStart..<warmUp {
    _ = try await producer.send(
        KafkaProducerMessage(
            topic: Topic.schedulingAvailability.rawValue, key: Array("candidate-\(index % 50)".utf8),
            value: Array(availability(index, sentAt: nowMilliseconds()).utf8)))
    try await Task.sleep(for: .milliseconds(10))
}
try await waitForReplies(2 * count + paced + 1)
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
    let events = try indices.map { index in
        let (envelope, document) = try decoder.availabilityDocument(Array(availability(index, sentAt: 0).utf8))
        return InboundEvent(
            messageID: envelope.eventId, topic: Topic.schedulingAvailability.rawValue, type: envelope.eventType,
            correlation: envelope.data.requestId, payload: try document?["data"] ?? JSONValue.encoding(envelope.data))
    }
    let outcomes = await engine.deliver(batch: events, lanes: indices.map { $0 % 50 })
    guard outcomes.allSatisfy({ if case .applied = $0 { true } else { false } }) else {
        FileHandle.standardError.write(Data("the engine did not apply every event of a batch: \(outcomes)\n".utf8))
        try? FileManager.default.removeItem(at: scratch)
        exit(1)
    }
}
let engineAlone = clock.now - engineAloneStarted
let engineAloneCPU = processCPUSeconds() - engineAloneCPUStarted
FileHandle.standardError.write(Data("phase: latency\n".utf8))

// Latency: from the request's send to the reply's production (both stamped by librdkafka here).
let reader = try KafkaConsumer(configuration: cluster.configuration, groupID: "bench-reader", topics: ["bench.out"])
var latencies: [(index: Int, milliseconds: Int64)] = []
while latencies.count < 2 * count + paced + 1, let message = await reader.next() {
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
print(String(format: "| kcat consume (raw, best of 3) | %d | %.3f | %.0f | | | |", count, seconds(kcatConsume), Double(count) / seconds(kcatConsume)))
print(
    String(
        format: "| service, topic filled first: consume → inbox + saga → outbox → produce | %d | %.3f | %.0f | | | %.3f |", count, seconds(filled),
        Double(count) / seconds(filled), filledCPU))
print(
    String(
        format: "| … until its first message was decoded (librdkafka fetching again after the resume) | 1 | %.3f | | | | |",
        seconds(filledFirstDecoded)))
print(String(format: "| … of which consumed (its last message decoded) | %d | %.3f | | | | |", count, seconds(filledDecoded)))
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
print("")
print(String(format: "service (topic filled first) / kcat consume throughput: %.2f", seconds(kcatConsume) / seconds(filled)))
print(String(format: "service (sent while consuming) / kcat consume throughput: %.2f", seconds(kcatConsume) / seconds(saturated)))
// `exit` skips top-level `defer`s: the scratch directory goes first.
try? FileManager.default.removeItem(at: scratch)
exit(0)
