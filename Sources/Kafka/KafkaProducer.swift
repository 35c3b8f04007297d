import CRdKafka
import Foundation
package import Logging

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`) whose `send` returns
/// only once the broker has confirmed the message, with Java-compatible key partitioning
/// (`murmur2_random`) so that other clients place the same keys on the same partitions.
package final class KafkaProducer: Sendable {
    private let handle: RDKafkaHandle
    private let deliveries = DeliveryRouter()
    private let poller: PollingThread
    private let logger: Logger

    /// The defaults this producer sets, which `configuration.properties` may override.
    /// `linger.ms` is 1, not librdkafka's 5: the outbox relay hands a whole batch over at once
    /// and awaits its reports together, so a longer linger adds little batching and delays
    /// every lone message (one per Kafka hop of a request); see `benchmarks/RESULTS.md`.
    package static let defaultProperties = [
        "enable.idempotence": "true",
        "acks": "all",
        "compression.type": "lz4",
        "partitioner": "murmur2_random",
        "linger.ms": "1",
        "message.timeout.ms": "300000",
    ]

    package init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka-producer")) throws(KafkaError) {
        let properties = Self.defaultProperties.merging(configuration.librdkafkaProperties) { _, explicit in explicit }
        handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: properties, logger: logger, deliveries: deliveries) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let opaque else { return }
                let context = Unmanaged<RDKafkaHandle.HandleContext>.fromOpaque(opaque).takeUnretainedValue()
                let id = Int(bitPattern: message.pointee._private)
                let report = message.pointee
                if report.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    let topic = report.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    context.deliveries?.deliver(id, .success(KafkaDeliveryReport(topic: topic, partition: report.partition, offset: report.offset)))
                } else {
                    context.deliveries?.deliver(id, .failure(KafkaError(report.err)))
                }
            }
        }
        self.logger = logger
        let handle = handle
        poller = PollingThread(name: "kafka-producer-poll") { _ = rd_kafka_poll(handle.pointer, 100) }
    }

    /// Produces `message` and waits for the broker's confirmation.
    package func send(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        try await send([message])[0].get()
    }

    /// Enqueues `messages` one after the other, in order (librdkafka keeps produce order per
    /// partition), then waits for every confirmation; results in order. A message that
    /// cannot be enqueued fails the later ones with its key, so none overtakes it; a queue
    /// that stays full, a shutdown or cancellation fails the rest of the batch.
    package func send(_ messages: [KafkaProducerMessage]) async -> [Result<KafkaDeliveryReport, any Error>] {
        var enqueued: [Result<Int, any Error>] = []
        enqueued.reserveCapacity(messages.count)
        var refusedKeys: [OrderKey: any Error] = [:]
        var stopped: (any Error)?
        for message in messages {
            let order = message.key.map { OrderKey(topic: message.topic, key: $0) }
            if let earlier = stopped ?? order.flatMap({ refusedKeys[$0] }) {
                enqueued.append(.failure(earlier))
                continue
            }
            let outcome = await enqueue(message)
            if case .failure(let error) = outcome {
                if let order { refusedKeys[order] = error }
                if Self.endsTheBatch(error) { stopped = error }
            }
            enqueued.append(outcome)
        }
        var results: [Result<KafkaDeliveryReport, any Error>] = []
        results.reserveCapacity(messages.count)
        for outcome in enqueued {
            switch outcome {
            case .success(let id):
                do { results.append(.success(try await deliveries.report(for: id))) } catch { results.append(.failure(error)) }
            case .failure(let error):
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Messages of one topic and key, which must reach the broker in order.
    private struct OrderKey: Hashable {
        let topic: String
        let key: [UInt8]
    }

    /// After these, later messages of the batch would fail too.
    private static func endsTheBatch(_ error: any Error) -> Bool {
        guard let error = error as? KafkaError else { return true }  // cancellation
        return error.isQueueFull || error.isClosed
    }

    /// Hands the message to librdkafka (copied) under a new delivery id. While its queue is
    /// full, waits for the polling thread to drain it, up to 3 s, without holding a thread.
    private func enqueue(_ message: KafkaProducerMessage) async -> Result<Int, any Error> {
        let id: Int
        do { id = try deliveries.reserve() } catch { return .failure(error) }
        var attempt = 0
        while let error = produce(message, id: id) {
            let failure = KafkaError(consuming: error)
            do {
                guard failure.isQueueFull, attempt < 600 else { throw failure }
                attempt += 1
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                deliveries.discard(id)
                return .failure(error)
            }
        }
        return .success(id)
    }

    /// One `rd_kafka_produceva` call; returns librdkafka's error, if any.
    private func produce(_ message: KafkaProducerMessage, id: Int) -> OpaquePointer? {
        message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                (message.key ?? []).withUnsafeBytes { key in
                    let names = message.headers.map { strdup($0.0) }
                    defer { for name in names { free(name) } }
                    var values: [rd_kafka_vu_t] = []
                    var entry = rd_kafka_vu_t()
                    entry.vtype = RD_KAFKA_VTYPE_TOPIC
                    entry.u.cstr = topic
                    values.append(entry)
                    entry = rd_kafka_vu_t()
                    entry.vtype = RD_KAFKA_VTYPE_VALUE
                    entry.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    entry.u.mem.size = value.count
                    values.append(entry)
                    if message.key != nil {
                        entry = rd_kafka_vu_t()
                        entry.vtype = RD_KAFKA_VTYPE_KEY
                        entry.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        entry.u.mem.size = key.count
                        values.append(entry)
                    }
                    entry = rd_kafka_vu_t()
                    entry.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    entry.u.i = Int32(RD_KAFKA_MSG_F_COPY)
                    values.append(entry)
                    entry = rd_kafka_vu_t()
                    entry.vtype = RD_KAFKA_VTYPE_OPAQUE
                    entry.u.ptr = UnsafeMutableRawPointer(bitPattern: id)
                    values.append(entry)
                    // Header values live in one buffer for the duration of the call (librdkafka copies them).
                    let headerBytes = message.headers.flatMap(\.1)
                    return headerBytes.withUnsafeBytes { buffer in
                        var offset = 0
                        for (index, header) in message.headers.enumerated() {
                            var entry = rd_kafka_vu_t()
                            entry.vtype = RD_KAFKA_VTYPE_HEADER
                            entry.u.header.name = UnsafePointer(names[index])
                            entry.u.header.val = buffer.baseAddress.map { UnsafeRawPointer($0 + offset) }
                            entry.u.header.size = header.1.count
                            offset += header.1.count
                            values.append(entry)
                        }
                        return values.withUnsafeBufferPointer { rd_kafka_produceva(handle.pointer, $0.baseAddress, $0.count) }
                    }
                }
            }
        }
    }

    /// `flush(timeout:)` on the calling thread, which it blocks.
    func flushBlocking(timeout: Duration) -> Bool {
        rd_kafka_flush(handle.pointer, timeout.librdkafkaMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// `shutdown(timeout:)` on the calling thread, which it blocks.
    func shutdownBlocking(timeout: Duration) {
        if !flushBlocking(timeout: timeout) { logger.warning("producer shut down with undelivered messages") }
        poller.stop()
        deliveries.close(.closed("producer"))
    }

    /// Without `shutdown()`: stops polling, fails whoever waits, and lets the handle go.
    deinit {
        poller.stop()
        deliveries.close(.closed("producer"))
    }
}
