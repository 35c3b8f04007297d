import Events
import Foundation
package import Kafka
package import Logging
import Metrics
package import SagaCore
package import SagaEngine
package import SagaStore

/// Events for sagas: how a message becomes one, and how the engine applies a batch of them
/// (in one write on SQLite, key by key on PostgreSQL).
package struct SagaEventRoute: Sendable {
    package typealias Decode = @Sendable (KafkaMessage) throws -> InboundEvent

    /// The engine's `deliver(batch:lanes:)` or `deliverEach(batch:lanes:)`: the outcome per
    /// event, nil for those left to the one-at-a-time path.
    let deliver: @Sendable (_ events: [InboundEvent], _ lanes: [Int]) async -> [InboxOutcome?]
    let decode: Decode
}

/// Feeds consumed messages to a handler in batches and commits the offsets only after the
/// messages' effects are durable.
///
/// A batch is what the consumer has already received (up to `batchSize`). Messages that
/// share a key run one after another in offset order; different keys run at once (on SQLite
/// their writes share the store's commits). Each message settles alone: a poison message goes to
/// the DLQ without failing its neighbours. Then one offset commit covers the batch, up to the
/// first message per partition that did not settle (cancelled by a shutdown).
///
/// A handler throws `EventRejection` (or a permanent `StepFailure`) for input that can never
/// be handled; the message then goes to the DLQ at once. While the database is unavailable
/// (as the store tells it: `DeadLetterInbox.isUnavailable`), or while another writer moves the
/// saga meanwhile, the message is retried for as long as that lasts: the input is fine. Any
/// other error is retried with backoff, and the message goes to the DLQ when the retries are
/// spent. A DLQ record and an `error.occurred` event are written to the outbox in one
/// transaction with an inbox row, so a redelivered message is not dead-lettered twice. When
/// the task is cancelled (shutdown) first, nothing is dead-lettered or committed: the message
/// comes again after a restart and the inbox recognises it.
package struct InboundPipeline: Sendable {
    package typealias Handler = @Sendable (KafkaMessage) async throws -> Void

    let consumer: KafkaConsumer
    let store: any DeadLetterInbox
    let handler: Handler
    let retry: RetryPolicy
    let batchSize: Int
    let clock: any WallClock
    let logger: Logger
    /// Set when the messages are events for sagas: then a batch is applied together first.
    let route: SagaEventRoute?
    private let gate = BatchGate()

    /// A pipeline that hands each message to `handler`.
    package init(
        consumer: KafkaConsumer, store: any DeadLetterInbox,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .seconds(5)), batchSize: Int = 256,
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "inbound"), handler: @escaping Handler
    ) {
        self.init(consumer: consumer, store: store, retry: retry, batchSize: batchSize, clock: clock, logger: logger, route: nil, handler: handler)
    }

    /// A pipeline of events for sagas: `decode` checks a message and makes it an event (or
    /// throws `EventRejection`). Each batch goes to `engine` at once: one read and one write
    /// for all of it. What that does not apply (a poison message, a handler's error, a saga
    /// moved meanwhile, and whatever follows it under the same key) is then handled one
    /// message at a time, in order, with retries and the DLQ.
    package init(
        consumer: KafkaConsumer, store: SagaStore, engine: SagaEngine<SagaStore>,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .seconds(5)), batchSize: Int = 256,
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "inbound"), decode: @escaping SagaEventRoute.Decode
    ) {
        self.init(
            consumer: consumer, store: store, retry: retry, batchSize: batchSize, clock: clock, logger: logger,
            route: SagaEventRoute(deliver: { await engine.deliver(batch: $0, lanes: $1) }, decode: decode),
            handler: { message in _ = try await engine.deliver(try decode(message)) })
    }

    /// A pipeline of events for sagas on a store that several instances share (PostgreSQL):
    /// as above, with each batch's events delivered one key after another (different keys at
    /// once) instead of in one write. The inbox stores each message once whichever instance
    /// gets it, so instances may consume the same messages.
    package init<Store: SagaWorkStore>(
        consumer: KafkaConsumer, store: any DeadLetterInbox, engine: SagaEngine<Store>,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .seconds(5)), batchSize: Int = 256,
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "inbound"), decode: @escaping SagaEventRoute.Decode
    ) {
        self.init(
            consumer: consumer, store: store, retry: retry, batchSize: batchSize, clock: clock, logger: logger,
            route: SagaEventRoute(deliver: { await engine.deliverEach(batch: $0, lanes: $1) }, decode: decode),
            handler: { message in _ = try await engine.deliver(try decode(message)) })
    }

    private init(
        consumer: KafkaConsumer, store: any DeadLetterInbox, retry: RetryPolicy, batchSize: Int, clock: any WallClock, logger: Logger,
        route: SagaEventRoute?,
        handler: @escaping Handler
    ) {
        self.consumer = consumer
        self.store = store
        self.retry = retry
        self.batchSize = max(1, batchSize)
        self.clock = clock
        self.logger = logger
        self.route = route
        self.handler = handler
    }

    /// Handles messages until the consumer is closed, `shutdown()` is called or the task is
    /// cancelled.
    package func run() async {
        while !Task.isCancelled {
            let batch = await consumer.next(upTo: batchSize)
            guard !batch.isEmpty, gate.enter() else { return }
            // A task of its own, so that a shutdown out of patience can stop a batch that
            // cannot settle (a database away, retried for as long as that lasts).
            let handling = Task { await handle(batch) }
            gate.whenOutOfPatience { handling.cancel() }
            await withTaskCancellationHandler {
                await handling.value
            } onCancel: {
                handling.cancel()
            }
            gate.leave()
        }
    }

    /// Stops gracefully: lets the batch in hand settle and commit its offsets for up to
    /// `patience`, then cancels it and closes the consumer. `run()` ends once the cancelled
    /// batch has returned; an offset commit it makes after the close is lost, so what it
    /// settled late comes again after a restart, where the inbox recognises it.
    package func shutdown(patience: Duration = .seconds(10)) async {
        await gate.stop(waitingAtMost: patience)
        await consumer.close()
    }

    /// Handles one message completely: effect or DLQ, then the offset; cancelled first,
    /// neither.
    package func handle(_ message: KafkaMessage) async {
        await handle([message])
    }

    /// Handles a batch: each message's effect or DLQ record, then one offset commit for the
    /// settled ones.
    package func handle(_ batch: [KafkaMessage]) async {
        var settled = Array(repeating: false, count: batch.count)
        if let route { settled = await deliverTogether(batch, through: route) }
        let together = settled.count { $0 }
        let rest = batch.indices.filter { !settled[$0] }
        for index in await settleInOrder(rest, of: batch) { settled[index] = true }
        let committable = Self.settledPrefixes(of: batch, settled: settled)
        Recorder(label: "interview_inbound_batch_size", aggregate: true).record(batch.count)
        Counter(label: "interview_inbound_messages_total", dimensions: [("path", "batch")]).increment(by: together)
        Counter(label: "interview_inbound_messages_total", dimensions: [("path", "single")]).increment(by: rest.count)
        do {
            try consumer.commit(committable)
        } catch {
            // The effects are durable; a redelivery will be recognised by the inbox.
            logger.warning("offset commit failed", metadata: ["messages": "\(committable.count)", "error": "\(error)"])
        }
    }

    /// Applies the batch's events together, in one delivery to the engine; returns which
    /// messages settled, by index. Per key, what settles is a prefix: decoding stops a key at
    /// its first poison message, and the engine stops a key at its first event it did not apply.
    ///
    /// One delivery, not several at once: splitting a batch's keys into groups delivered
    /// concurrently (so that decoding one overlapped writing another) cost about a third more
    /// CPU and was a fifth slower at 10,000 messages on two cores (benchmarks/RESULTS.md).
    private func deliverTogether(_ batch: [KafkaMessage], through route: SagaEventRoute) async -> [Bool] {
        var laneNumbers: [String: Int] = [:]
        var stopped = Set<Int>()
        var events: [InboundEvent] = []
        var eventLanes: [Int] = []
        var positions: [Int] = []
        events.reserveCapacity(batch.count)
        for (index, message) in batch.enumerated() {
            let name = Self.lane(of: message)
            let lane = laneNumbers[name] ?? laneNumbers.count
            laneNumbers[name] = lane
            if stopped.contains(lane) { continue }
            guard let event = try? route.decode(message) else {
                stopped.insert(lane)
                continue
            }
            events.append(event)
            eventLanes.append(lane)
            positions.append(index)
        }
        var settled = Array(repeating: false, count: batch.count)
        for (index, outcome) in zip(positions, await route.deliver(events, eventLanes)) where outcome != nil { settled[index] = true }
        return settled
    }

    /// Settles the messages at `indices` of `batch`, one key's messages in order, different
    /// keys at once; returns the indices that settled.
    private func settleInOrder(_ indices: [Int], of batch: [KafkaMessage]) async -> [Int] {
        if indices.isEmpty { return [] }
        if indices.count == 1 { return await settle(batch[indices[0]]) ? indices : [] }
        var lanes: [String: [Int]] = [:]
        for index in indices { lanes[Self.lane(of: batch[index]), default: []].append(index) }
        return await withTaskGroup(of: [Int].self) { group in
            for lane in lanes.values {
                group.addTask {
                    var settled: [Int] = []
                    for index in lane {
                        guard await self.settle(batch[index]) else { break }
                        settled.append(index)
                    }
                    return settled
                }
            }
            var settled: [Int] = []
            for await indices in group { settled += indices }
            return settled
        }
    }

    /// Messages with the same lane must be handled in offset order.
    private static func lane(of message: KafkaMessage) -> String {
        "\(message.topic)|\(message.partition)|\(message.keyText ?? "")"
    }

    /// Per partition, the messages up to (not including) the first that did not settle:
    /// an offset commit must never pass an unsettled message.
    package static func settledPrefixes(of batch: [KafkaMessage], settled: [Bool]) -> [KafkaMessage] {
        var stopped = Set<String>()
        var committable: [KafkaMessage] = []
        for (message, done) in zip(batch, settled) {
            let partition = "\(message.topic)|\(message.partition)"
            if stopped.contains(partition) { continue }
            if done { committable.append(message) } else { stopped.insert(partition) }
        }
        return committable
    }

    /// Applies the message or dead-letters it; false when cancelled before either.
    private func settle(_ message: KafkaMessage) async -> Bool {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await handler(message)
                return true
            } catch let rejection as EventRejection {
                return await deadLetter(message, rejection, retryCount: attempt - 1)
            } catch let failure as StepFailure where failure.kind == .permanent {
                return await deadLetter(message, EventRejection(.processingFailed, "\(failure)"), retryCount: attempt - 1)
            } catch {
                // A shutdown only when this task is cancelled: a handler may throw
                // `CancellationError` for a cancellation of its own, which is a failure like any
                // other. Returning false here while the pipeline runs on would leave the message
                // unsettled and let a later batch commit past it.
                if Task.isCancelled { return false }
                // The database away, or the saga moved by another writer meanwhile (the next
                // attempt sees it as it is now): the message is fine, tried until it settles.
                let unavailable = store.isUnavailable(error) || error is StaleSagaWrite
                if !unavailable, attempt >= retry.maxAttempts {
                    return await deadLetter(
                        message, EventRejection(.processingFailed, "failed \(attempt) times; last error: \(error)"), retryCount: attempt - 1)
                }
                logger.warning(
                    unavailable ? "database unavailable or saga moved meanwhile; retrying" : "handling failed; retrying",
                    metadata: [
                        "topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)",
                    ])
                do {
                    try await Task.sleep(for: retry.backoff(afterAttempt: min(attempt, 64), unitRandom: Double.random(in: 0..<1)))
                } catch {
                    return false
                }
            }
        }
    }

    /// Writes the DLQ record and the error event; keeps trying while the database refuses,
    /// because the offset must not move before they are stored. False when cancelled first.
    ///
    /// The record is kept under the message's position and a digest of its content: a copy
    /// delivered again is recognised, a different message at a position used before (a topic
    /// deleted and made again) is not. An event that decoded is also recorded under its own id,
    /// so that a copy delivered again is not applied after all.
    private func deadLetter(_ message: KafkaMessage, _ rejection: EventRejection, retryCount: Int) async -> Bool {
        let origin = "\(message.topic):\(message.partition):\(message.offset)"
        let marker = "\(origin):\(Self.digest(of: message))"
        let eventID = try? route?.decode(message).messageID
        while !Task.isCancelled {
            do {
                let now = clock.now()
                let record = DeadLetterRecord(
                    original: message.value, key: message.key, rejection: rejection, retryCount: retryCount,
                    topic: message.topic, partition: message.partition, offset: message.offset, at: now)
                let error = EventEnvelope(
                    eventId: "error:\(marker)", eventType: ErrorOccurred.eventType, timestamp: now,
                    data: ErrorOccurred(
                        errorId: "dlq:\(marker)", component: "scheduling", severity: "medium",
                        error: .init(
                            code: rejection.code.rawValue, message: rejection.description,
                            context: [
                                "topic": message.topic, "partition": "\(message.partition)", "offset": "\(message.offset)",
                            ]),
                        affectedEntities: .init()))
                _ = try await store.deadLetter(
                    messageID: "kafka:\(marker)", eventID: eventID, topic: message.topic, at: now, reason: rejection.code.rawValue,
                    messages: [
                        OutboxMessage(
                            id: "dlq:\(marker)", topic: Topic.deadLetter.rawValue, key: message.keyText ?? origin, payload: try record.encoded()),
                        OutboxMessage(id: error.eventId, topic: Topic.errorOccurred.rawValue, key: error.data.errorId, payload: try error.encoded()),
                    ])
                Counter(label: "interview_dlq_messages_total", dimensions: [("topic", message.topic), ("code", rejection.code.rawValue)]).increment()
                logger.error("message sent to the DLQ", metadata: ["origin": "\(origin)", "reason": "\(rejection)"])
                return true
            } catch {
                logger.error("cannot store the DLQ record; retrying", metadata: ["origin": "\(origin)", "error": "\(error)"])
                do { try await Task.sleep(for: .seconds(1)) } catch { return false }
            }
        }
        return false
    }

    /// FNV-1a (64 bits) of the key and the value: tells one message at a position from another.
    static func digest(of message: KafkaMessage) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        for byte in withUnsafeBytes(of: (message.key.map { UInt64($0.count) } ?? .max).littleEndian, Array.init) { add(byte) }
        for byte in message.key ?? [] { add(byte) }
        for byte in message.value { add(byte) }
        return String(hash, radix: 16)
    }
}
