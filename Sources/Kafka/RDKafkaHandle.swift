import CRdKafka
import Logging
import Synchronization

/// The one owner of an `rd_kafka_t`: creates it from properties and destroys it exactly once.
///
/// librdkafka handles are thread-safe (producing, committing and polling may happen from
/// different threads), which is why this wrapper may be shared.
final class RDKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    private let context: Unmanaged<HandleContext>

    /// What callbacks need: the logger and, for producers, the delivery-report router.
    final class HandleContext: Sendable {
        let logger: Logger
        let deliveries: DeliveryRouter?
        /// For consumers: how many times partitions were taken away, so that a position
        /// handled before a revocation is never committed after it.
        let revocations = Atomic<Int>(0)
        /// For consumers: whether fetching is paused (`KafkaConsumer.setPaused`), which a
        /// rebalance applies to the partitions it assigns, nil until it is first set.
        let paused = Mutex<Bool?>(nil)

        init(logger: Logger, deliveries: DeliveryRouter?) {
            self.logger = logger
            self.deliveries = deliveries
        }
    }

    /// Creates a handle. `configure` may set callbacks on the configuration before creation.
    init(
        type: rd_kafka_type_t, properties: [String: String], logger: Logger, deliveries: DeliveryRouter? = nil,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        guard let configuration = rd_kafka_conf_new() else { throw .configuration("rd_kafka_conf_new failed") }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(configuration, name, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(configuration)
                throw .configuration("\(name): \(String(nulTerminated: errorText))")
            }
        }
        let context = Unmanaged.passRetained(HandleContext(logger: logger, deliveries: deliveries))
        rd_kafka_conf_set_opaque(configuration, context.toOpaque())
        rd_kafka_conf_set_log_cb(configuration) { handle, level, facility, text in
            guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
            let context = Unmanaged<HandleContext>.fromOpaque(opaque).takeUnretainedValue()
            let logLevel: Logger.Level = level <= 3 ? .error : level == 4 ? .warning : level <= 6 ? .info : .debug
            context.logger.log(
                level: logLevel, "\(text.map { String(cString: $0) } ?? "")", metadata: ["facility": "\(facility.map { String(cString: $0) } ?? "")"])
        }
        configure(configuration)
        guard let pointer = rd_kafka_new(type, configuration, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(configuration)
            context.release()
            throw .configuration(String(nulTerminated: errorText))
        }
        self.pointer = pointer
        self.context = context
    }

    /// How many times a consumer's partitions were revoked so far.
    var revocations: Int { context.takeUnretainedValue().revocations.load(ordering: .acquiring) }
    var paused: Bool? {
        get { context.takeUnretainedValue().paused.withLock { $0 } }
        set { context.takeUnretainedValue().paused.withLock { $0 = newValue } }
    }

    /// Handles whose consumer close was given up on, kept for the life of the process.
    private static let abandoned = Mutex<[RDKafkaHandle]>([])

    /// Keeps this handle alive until the process exits: a consumer whose close was given up
    /// on is still inside librdkafka's close, and destroying it would wait for that without a
    /// limit (with or without `RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`). Its threads stay until
    /// exit; it no longer heartbeats, so the group drops the member at its session timeout.
    func abandon() {
        Self.abandoned.withLock { $0.append(self) }
    }

    deinit {
        rd_kafka_destroy(pointer)
        context.release()
    }
}

extension String {
    /// The text in a C buffer up to its first NUL.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
