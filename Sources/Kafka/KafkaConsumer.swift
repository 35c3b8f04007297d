import CRdKafka
import Dispatch
import Foundation
package import Logging
import Synchronization

/// A consumer in a consumer group that hands out messages on demand: one, or a batch of
/// what has already arrived.
///
/// librdkafka is polled only while the application asks for the next messages, so a
/// rebalance never happens while a message is being handled: revoked partitions stop
/// cleanly. A rebalance while a batch is being gathered ends the batch, and the messages of
/// partitions no longer assigned are dropped from it (their new owner reads them again from
/// the committed offset). Offsets are never committed automatically: `commit(_:)` stores a message's offset
/// once its effect is durable and commits it asynchronously; revocation commits what was
/// stored, and `close()` waits for the asynchronous commits, then commits every handled
/// position synchronously, so a successor starts right after the last handled message even
/// when an asynchronous commit was lost or retried late.
package final class KafkaConsumer: Sendable {
    /// A task waiting for messages: at most `limit` of them; an empty batch means closed.
    private struct Demand {
        var limit: Int
        var continuation: CheckedContinuation<[KafkaMessage], Never>
    }

    /// What the polling thread and the application share: one demand per request for
    /// messages, and the tasks waiting, first come first served.
    private final class HandOff: Sendable {
        let demand = DispatchSemaphore(value: 0)
        let waiting = Mutex<[Demand]>([])

        func takeFirst() -> Demand? {
            waiting.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }

        func takeAll() -> [Demand] {
            waiting.withLock { state in
                defer { state = [] }
                return state
            }
        }
    }

    private let handle: RDKafkaHandle
    private let pendingCommits: PendingCommits
    private let poller: PollingThread
    private let handOff = HandOff()
    private let closed = Atomic<Bool>(false)
    /// The next offset to read per partition, for every handled message, with the number of
    /// revocations before it was handled.
    private let positions = Mutex<[String: (topic: String, partition: Int32, offset: Int64, revocations: Int)]>([:])
    private let logger: Logger

    package static let defaultProperties = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        AssignmentStrategy.property: AssignmentStrategy.preferred(forVersion: KafkaLibrary.versionNumber),
    ]

    /// Settings that would let librdkafka store or commit offsets of messages not yet handled.
    static let offsetsStoredByThePipeline = ["enable.auto.commit", "enable.auto.offset.store"]

    package init(
        configuration: KafkaConfiguration, groupID: String, topics: [String], logger: Logger = Logger(label: "kafka-consumer")
    ) throws(KafkaError) {
        var properties = Self.defaultProperties.merging(configuration.librdkafkaProperties) { _, explicit in explicit }
            .merging(configuration.consumerProperties) { _, explicit in explicit }
        for name in Self.offsetsStoredByThePipeline where !["false", "f", "0"].contains(properties[name]?.lowercased() ?? "") {
            throw .configuration(
                "\(name)=\(properties[name] ?? "") is refused: an offset is stored and committed only once its message's effect is durable; remove the setting"
            )
        }
        properties["group.id"] = groupID
        try AssignmentStrategy.check(properties[AssignmentStrategy.property] ?? "", version: KafkaLibrary.versionNumber)
        handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, properties: properties, logger: logger) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { handle, error, partitions, opaque in
                guard let handle else { return }
                KafkaConsumer.rebalance(handle, error, partitions, opaque)
            }
        }
        self.logger = logger
        rd_kafka_poll_set_consumer(handle.pointer)
        guard let list = rd_kafka_topic_partition_list_new(Int32(topics.count)) else { throw .configuration("cannot allocate a topic list") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let subscribed = rd_kafka_subscribe(handle.pointer, list)
        guard subscribed == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(subscribed, context: "subscribe") }

        let pendingCommits = try PendingCommits(handle: handle, logger: logger)
        self.pendingCommits = pendingCommits
        let handle = handle, handOff = handOff, logger = logger
        poller = PollingThread(name: "kafka-consumer-poll") {
            pendingCommits.collect(waitingUpTo: 0)
            // Poll only when someone asked for messages.
            guard handOff.demand.wait(timeout: .now() + .milliseconds(100)) == .success else { return }
            while let limit = handOff.waiting.withLock({ $0.first?.limit }) {  // none left: closed while waiting
                // A batch emptied by a rebalance is not handed out: empty means closed.
                if let first = Self.poll(handle, waitingUpTo: 100, logger: logger),
                    case let batch = Self.gather(after: first, limit: limit, handle: handle, logger: logger), !batch.isEmpty
                {
                    handOff.takeFirst()?.continuation.resume(returning: batch)
                    return
                }
            }
        }
    }

    /// The next message; nil once the consumer is closed. Concurrent callers are served in turn.
    package func next() async -> KafkaMessage? {
        await next(upTo: 1).first
    }

    /// Waits for the next message, then adds those that have already arrived, up to `limit`
    /// in all, in the order librdkafka gives them (per partition, offset order). Empty once
    /// the consumer is closed. Concurrent callers are served in turn.
    package func next(upTo limit: Int) async -> [KafkaMessage] {
        await withCheckedContinuation { continuation in
            // Checked under the hand-off's lock, which `close()` also takes after setting the flag.
            let accepted = handOff.waiting.withLock { state -> Bool in
                guard !closed.load(ordering: .acquiring) else { return false }
                state.append(Demand(limit: max(1, limit), continuation: continuation))
                return true
            }
            if accepted {
                handOff.demand.signal()
            } else {
                continuation.resume(returning: [])
            }
        }
    }

    /// Records that `message` has been handled (its effect is durable) and commits its
    /// offset asynchronously; a commit lost in a crash means a redelivery, which the inbox
    /// recognises.
    package func commit(_ message: KafkaMessage) throws(KafkaError) {
        try commit([message])
    }

    /// Records that `messages` have been handled and commits, in one asynchronous commit,
    /// the position after the last of them in each partition.
    package func commit(_ messages: [KafkaMessage]) throws(KafkaError) {
        var next: [String: (topic: String, partition: Int32, offset: Int64)] = [:]
        for message in messages {
            let key = "\(message.topic)|\(message.partition)"
            if (next[key]?.offset ?? .min) < message.offset + 1 { next[key] = (message.topic, message.partition, message.offset + 1) }
        }
        guard !next.isEmpty else { return }
        guard let list = rd_kafka_topic_partition_list_new(Int32(next.count)) else { throw .configuration("cannot allocate a topic list") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for position in next.values {
            rd_kafka_topic_partition_list_add(list, position.topic, position.partition)?.pointee.offset = position.offset
        }
        let stored = rd_kafka_offsets_store(handle.pointer, list)
        guard stored == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(stored, context: "store offset") }
        // Only a position librdkafka accepted (an assigned partition) is committed again on
        // close; it reports a refusal per entry, even when the call as a whole succeeds.
        let revocations = handle.revocations
        var refused: rd_kafka_resp_err_t?
        positions.withLock { positions in
            for index in 0..<Int(list.pointee.cnt) {
                let entry = list.pointee.elems[index]
                guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    refused = entry.err
                    continue
                }
                let topic = String(cString: entry.topic)
                positions["\(topic)|\(entry.partition)"] = (topic, entry.partition, entry.offset, revocations)
            }
        }
        try pendingCommits.commitStored()
        if let refused { throw KafkaError(refused, context: "store offset") }
    }

    /// Stops (`true`) or restarts (`false`) fetching (librdkafka's pause and resume), for a
    /// caller that must hold messages in the topic for a while: the partitions assigned now,
    /// and those a later rebalance assigns. librdkafka waits for its threads to apply it, so
    /// this runs on a thread of its own.
    package func setPaused(_ paused: Bool) async throws(KafkaError) {
        let handle = self.handle
        let logger = self.logger
        try await BlockingCalls.run { () -> Result<Void, KafkaError> in
            handle.paused = paused
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let listed = rd_kafka_assignment(handle.pointer, &list)
            guard listed == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return .failure(KafkaError(listed, context: "read the assignment")) }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let applied = Self.apply(paused: paused, to: list, handle: handle.pointer)
            if case .success = applied, !paused, let unanswered = Self.wakeFetchers(of: list, handle: handle.pointer) {
                logger.debug(
                    "resumed; the wake-up request failed, so fetching may start only at librdkafka's next tick (within 1 s)",
                    metadata: ["error": "\(unanswered)"])
            }
            return applied
        }.get()
    }

    /// librdkafka (2.0.2, and later releases too) does not wake a broker's thread when its
    /// partitions are resumed: fetching starts again only at that thread's next tick, up to a
    /// second later. Asking the partitions' leaders for their end offsets (a read-only
    /// ListOffsets request, which changes no position) wakes those threads now. Returns the
    /// request's error as a whole, if it had one (a timeout, after 1 s, when a leader is
    /// unknown or away); errors of single partitions are not looked at.
    private static func wakeFetchers(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, handle: OpaquePointer) -> KafkaError? {
        guard list.pointee.cnt > 0, let query = rd_kafka_topic_partition_list_copy(list) else { return nil }
        defer { rd_kafka_topic_partition_list_destroy(query) }
        for index in 0..<Int(query.pointee.cnt) { query.pointee.elems[index].offset = Int64(RD_KAFKA_OFFSET_END) }
        // The offsets do not matter; waiting for the answer (about one round trip) keeps the
        // call's effect ordered before whatever the caller does next.
        let answered = rd_kafka_offsets_for_times(handle, query, 1000)
        return answered == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(answered, context: "wake the fetchers")
    }

    /// Pauses or resumes `list`; the first partition's refusal, if any.
    private static func apply(
        paused: Bool, to list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, handle: OpaquePointer
    ) -> Result<Void, KafkaError> {
        let changed = paused ? rd_kafka_pause_partitions(handle, list) : rd_kafka_resume_partitions(handle, list)
        guard changed == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(changed, context: paused ? "pause" : "resume")) }
        for index in 0..<Int(list.pointee.cnt) where list.pointee.elems[index].err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .failure(KafkaError(list.pointee.elems[index].err, context: paused ? "pause" : "resume"))
        }
        return .success(())
    }

    /// `waitForCommits(within:)` on the calling thread, which it blocks.
    func waitForCommitsBlocking(within timeout: Duration) -> Bool {
        pendingCommits.drain(within: timeout)
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }
    var handlePointer: OpaquePointer { handle.pointer }

    /// `close()` on the calling thread, which it blocks.
    func closeBlocking(leaveLimit: Duration = KafkaConsumer.closeLimit) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for waiting in handOff.takeAll() { waiting.continuation.resume(returning: []) }
        poller.stop()
        if !pendingCommits.drain(within: .seconds(10)) {
            logger.warning("asynchronous offset commits still out after 10 s; the final commit may be overtaken by one")
        }
        commitHandledPositions()
        if leaveGroup(within: leaveLimit) == .gaveUp { handle.abandon() }
    }

    /// How long `close()` waits for librdkafka to leave the group.
    package static let closeLimit = Duration.seconds(30)

    /// librdkafka's consumer close (revocation, leaving the group), bounded. Its
    /// `rd_kafka_consumer_close` waits without a limit, and on 2.0.2 it was seen here never to
    /// return (a consumer closed right after its first message, on the development cluster).
    /// Every handled position is committed before this, so giving up loses nothing; the handle
    /// is then kept until the process exits (see `RDKafkaHandle.abandon()`).
    private func leaveGroup(within limit: Duration) -> LeaveOutcome {
        guard let queue = rd_kafka_queue_new(handle.pointer) else { return .notStarted }
        defer { rd_kafka_queue_destroy(queue) }
        if let failure = rd_kafka_consumer_close_queue(handle.pointer, queue) {
            logger.error("cannot close the consumer", metadata: ["error": "\(String(cString: rd_kafka_error_string(failure)))"])
            rd_kafka_error_destroy(failure)
            return .notStarted
        }
        let deadline = ContinuousClock.now + limit
        while rd_kafka_consumer_closed(handle.pointer) == 0 {
            guard ContinuousClock.now < deadline else {
                logger.error(
                    "librdkafka did not finish leaving the consumer group; its handle is kept until the process exits, and the group drops this member one session timeout after the close began",
                    metadata: ["waited": "\(limit)"])
                return .gaveUp
            }
            guard let event = rd_kafka_queue_poll(queue, 100) else { continue }
            // A rebalance comes as an event here; the rebalance callback is not called.
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
                Self.rebalance(
                    handle.pointer, rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event), rd_kafka_opaque(handle.pointer))
            } else if rd_kafka_event_type(event) == RD_KAFKA_EVENT_ERROR {
                logger.debug("while leaving the group", metadata: ["error": "\(String(cString: rd_kafka_event_error_string(event)))"])
            }
            rd_kafka_event_destroy(event)
        }
        return .left
    }

    /// How `leaveGroup(within:)` ended: only a close given up midway leaves librdkafka busy.
    private enum LeaveOutcome {
        case left, notStarted, gaveUp
    }

    /// A rebalance, from the callback while polling or from the close queue's event: takes
    /// assigned partitions; for revoked ones, commits what was stored and lets them go.
    private static func rebalance(
        _ handle: OpaquePointer, _ error: rd_kafka_resp_err_t, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        _ opaque: UnsafeMutableRawPointer?
    ) {
        let context = opaque.map { Unmanaged<RDKafkaHandle.HandleContext>.fromOpaque($0).takeUnretainedValue() }
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        if error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            if cooperative {
                if let failure = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(failure) }
            } else {
                rd_kafka_assign(handle, partitions)
            }
            // A partition keeps librdkafka's pause across a revocation: assigned ones follow
            // `setPaused` as it stands now.
            if let partitions, let paused = context?.paused.withLock({ $0 }) {
                if case .failure(let error) = apply(paused: paused, to: partitions, handle: handle) {
                    context?.logger.error("cannot apply the consumer's pause to assigned partitions", metadata: ["error": "\(error)"])
                }
            }
        } else {
            // Revoked: no message is in flight (messages are handed out only while polled);
            // commit what was stored, then let go. Positions handled so far are no longer this
            // consumer's to commit on close.
            context?.revocations.add(1, ordering: .releasing)
            _ = rd_kafka_commit(handle, nil, 0)
            if cooperative {
                if let failure = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(failure) }
            } else {
                rd_kafka_assign(handle, nil)
            }
        }
        context?.logger.info(
            "partitions \(error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? "assigned" : "revoked")",
            metadata: ["count": "\(partitions?.pointee.cnt ?? 0)"])
    }

    /// Without `close()`: closes, so that the polling thread stops and the handle is freed (or
    /// kept, when leaving the group was given up). Blocks the releasing thread meanwhile.
    deinit {
        closeBlocking()
    }

    /// Commits the position after every message handled since the last revocation,
    /// synchronously; a commit that meets a coordinator change or a timeout is tried again, up
    /// to five times. Positions from before a revocation are left alone: the partition may
    /// have moved on under another member, and committing them would move it back.
    private func commitHandledPositions() {
        let revocations = handle.revocations
        let handled = positions.withLock { $0.values.filter { $0.revocations == revocations } }
        guard !handled.isEmpty, let list = rd_kafka_topic_partition_list_new(Int32(handled.count)) else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for position in handled {
            rd_kafka_topic_partition_list_add(list, position.topic, position.partition)?.pointee.offset = position.offset
        }
        var result = rd_kafka_commit(handle.pointer, list, 0)
        for _ in 1..<5 where Self.retriableCommitErrors.contains(result) {
            Thread.sleep(forTimeInterval: 0.1)
            result = rd_kafka_commit(handle.pointer, list, 0)
        }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("final offset commit failed; the successor will see some messages again", metadata: ["error": "\(KafkaError(result))"])
        }
    }

    /// Commit errors that a coordinator move or a slow broker cause, and a retry mends.
    static let retriableCommitErrors: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT,
    ]

    /// Adds to `first` the messages that have already arrived, up to `limit` in all. A
    /// rebalance during a poll ends the batch and drops the messages of partitions that are
    /// no longer assigned.
    private static func gather(after first: KafkaMessage, limit: Int, handle: RDKafkaHandle, logger: Logger) -> [KafkaMessage] {
        var batch = [first]
        let revocations = handle.revocations
        while batch.count < limit {
            let message = poll(handle, waitingUpTo: 0, logger: logger)
            if let message { batch.append(message) }
            if handle.revocations != revocations {
                let assigned = assignment(handle)
                return batch.filter { assigned.contains("\($0.topic)|\($0.partition)") }
            }
            if message == nil { break }
        }
        return batch
    }

    /// The partitions assigned now, as `topic|partition`.
    private static func assignment(_ handle: RDKafkaHandle) -> Set<String> {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle.pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        var assigned = Set<String>()
        for index in 0..<Int(list.pointee.cnt) {
            let entry = list.pointee.elems[index]
            assigned.insert("\(String(cString: entry.topic))|\(entry.partition)")
        }
        return assigned
    }

    /// Polls once; returns a message, or nil on timeout or an error event (logged).
    private static func poll(_ handle: RDKafkaHandle, waitingUpTo milliseconds: Int32, logger: Logger) -> KafkaMessage? {
        guard let raw = rd_kafka_consumer_poll(handle.pointer, milliseconds) else { return nil }
        defer { rd_kafka_message_destroy(raw) }
        let message = raw.pointee
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            logError(raw, topic: topic, handle: handle, logger: logger)
            return nil
        }
        let value = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
        let key = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        var headers: [(String, [UInt8]?)] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(raw, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append((name.map { String(cString: $0) } ?? "", bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(raw, &timestampType)
        return KafkaMessage(
            topic: topic, partition: message.partition, offset: message.offset, key: key, value: value,
            headers: headers, timestamp: timestamp >= 0 ? timestamp : nil)
    }

    /// Logs a consumer error (brokers down, unknown topic, authorization, fatal) with its
    /// topic and partition, instead of waiting silently.
    private static func logError(_ raw: UnsafeMutablePointer<rd_kafka_message_t>, topic: String, handle: RDKafkaHandle, logger: Logger) {
        var error = raw.pointee.err
        guard error != RD_KAFKA_RESP_ERR__PARTITION_EOF else { return }
        var text = rd_kafka_message_errstr(raw).map { String(cString: $0) } ?? ""
        var level = Logger.Level.error
        if error == RD_KAFKA_RESP_ERR__FATAL {
            var buffer = [CChar](repeating: 0, count: 512)
            error = rd_kafka_fatal_error(handle.pointer, &buffer, buffer.count)
            text = String(nulTerminated: buffer)
            level = .critical
        }
        logger.log(
            level: level, "consumer error: \(text)",
            metadata: [
                "error": "\(KafkaError(error).name)", "topic": "\(topic)", "partition": "\(raw.pointee.partition)",
            ])
    }
}
