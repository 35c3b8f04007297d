import CRdKafka
import Foundation
import Logging

/// An idempotent Kafka producer (`enable.idempotence=true`, `acks=all`) whose `send` returns
/// only once the broker has confirmed the message, with Java-compatible key partitioning
/// (`murmur2_random`) so that other clients place the same keys on the same partitions.
public final class KafkaProducer: Sendable {
    private let handle: RDKafkaHandle
    private let deliveries = DeliveryRouter()
    private let poller: PollingThread
    private let logger: Logger

    /// The defaults this producer sets, which `configuration.properties` may override.
    public static let defaultProperties = [
        "enable.idempotence": "true",
        "acks": "all",
        "compression.type": "lz4",
        "partitioner": "murmur2_random",
        "linger.ms": "5",
        "message.timeout.ms": "300000",
    ]

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka-producer")) throws(KafkaError) {
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
    public func send(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            guard let id = deliveries.register(continuation) else { return }
            do throws(KafkaError) {
                try enqueue(message, id: id)
            } catch {
                deliveries.deliver(id, .failure(error))
            }
        }
    }

    /// Produces all `messages` at once and waits for every confirmation; results in order.
    public func send(_ messages: [KafkaProducerMessage]) async -> [Result<KafkaDeliveryReport, any Error>] {
        await withTaskGroup(of: (Int, Result<KafkaDeliveryReport, any Error>).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await self.send(message)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(index: Int, result: Result<KafkaDeliveryReport, any Error>)] = []
            results.reserveCapacity(messages.count)
            for await item in group { results.append(item) }
            return results.sorted { $0.index < $1.index }.map(\.result)
        }
    }

    /// Hands the message to librdkafka (copied), retrying while its queue is full.
    private func enqueue(_ message: KafkaProducerMessage, id: Int) throws(KafkaError) {
        var attempt = 0
        while true {
            guard let error = produce(message, id: id) else { return }
            let failure = KafkaError(consuming: error)
            guard failure.isQueueFull, attempt < 600 else { throw failure }
            attempt += 1
            usleep(5000)  // the polling thread drains delivery reports meanwhile
        }
    }

    /// One `rd_kafka_produceva` call; returns librdkafka's error, if any.
    private func produce(_ message: KafkaProducerMessage, id: Int) -> OpaquePointer? {
        message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                (message.key ?? []).withUnsafeBytes { key in
                    let names = message.headers.map { strdup($0.0) }
                    defer { names.forEach { free($0) } }
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

    /// Waits up to `timeout` for queued messages to be delivered.
    public func flush(timeout: Duration = .seconds(10)) -> Bool {
        rd_kafka_flush(handle.pointer, timeout.librdkafkaMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Flushes, stops polling and fails whoever still waits; later sends fail at once. Call
    /// before dropping the producer, so that queued messages get out.
    public func shutdown(timeout: Duration = .seconds(10)) {
        if !flush(timeout: timeout) { logger.warning("producer shut down with undelivered messages") }
        poller.stop()
        deliveries.close(.closed("producer"))
    }

    /// Without `shutdown()`: stops polling, fails whoever waits, and lets the handle go.
    deinit {
        poller.stop()
        deliveries.close(.closed("producer"))
    }
}
