import Events
import Kafka
import Logging
import Messaging
import SchedulerTestScopes
import SchedulerTesting
import Testing

/// Each librdkafka handle belongs to one Swift object, which frees it even when the
/// application forgets `shutdown()`/`close()`; misuse fails instead of hanging.
@Suite("Kafka client lifecycle", .serialized, .runsAfterTestWork)
struct KafkaClientLifecycleTests {
    /// Lives exactly as long as a logger made by `logger(holding:)`.
    final class Token: Sendable {}

    /// A silent logger that keeps `token` alive: the handle's callbacks hold the logger.
    func logger(holding token: Token) -> Logger {
        Logger(label: "lifecycle") { _ in Holder(token: token) }
    }

    struct Holder: LogHandler {
        let token: Token
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .critical
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {}
    }

    @Test func aProducerDroppedWithoutShutdownStopsPollingAndFreesItsHandle() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        weak var watched: Token?
        do {
            let token = Token()
            watched = token
            let producer = try KafkaProducer(configuration: cluster.configuration, logger: logger(holding: token))
            _ = try await producer.send(KafkaProducerMessage(topic: Topic.interviewCreated.rawValue, key: Array("k".utf8), value: Array("{}".utf8)))
        }
        #expect(try await eventually(20) { watched == nil }, "the polling thread let go of the handle, which was destroyed")
    }

    @Test func aConsumerDroppedWithoutCloseStopsPollingAndFreesItsHandle() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        weak var watched: Token?
        do {
            let token = Token()
            watched = token
            _ = try KafkaConsumer(
                configuration: cluster.configuration, groupID: "lifecycle", topics: [Topic.interviewCreated.rawValue], logger: logger(holding: token))
        }
        #expect(try await eventually(20) { watched == nil })
    }

    @Test func sendingAfterShutdownFails() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let producer = try KafkaProducer(configuration: cluster.configuration)
        await producer.shutdown()
        let message = KafkaProducerMessage(topic: Topic.interviewCreated.rawValue, key: nil, value: Array("{}".utf8))
        let single = try await finishing(within: 30) { () async -> Result<KafkaDeliveryReport, any Error> in
            do { return .success(try await producer.send(message)) } catch { return .failure(error) }
        }
        #expect(single.map { if case .failure(let error) = $0 { (error as? KafkaError)?.name == "CLOSED" } else { false } } == true)
        let batch = try await finishing(within: 30) { await producer.send([message, message]) }
        #expect(batch?.count == 2 && batch?.allSatisfy { if case .failure = $0 { true } else { false } } == true)
    }

    @Test func concurrentCallersOfNextAreEachServed() async throws {
        let cluster = try await DevelopmentCluster.start()
        afterTest { withExtendedLifetime(cluster) {} }  // the cluster outlives the clients closed after the test
        let topic = Topic.interviewCreated.rawValue
        let producer = try KafkaProducer(configuration: cluster.configuration)
        afterTest { await producer.shutdown() }
        for index in 0..<2 {
            _ = try await producer.send(KafkaProducerMessage(topic: topic, key: Array("same-key".utf8), value: Array("\(index)".utf8)))
        }
        let consumer = try KafkaConsumer(configuration: cluster.configuration, groupID: "lifecycle-next", topics: [topic])
        afterTest { await consumer.close() }
        let offsets = try await finishing(within: 60) { () async -> [Int64] in
            async let first = consumer.next()
            async let second = consumer.next()
            return await [first, second].compactMap { $0?.offset }
        }
        #expect(offsets?.sorted() == [0, 1], "neither caller is lost, no message is dropped")
    }
}
