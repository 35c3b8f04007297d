import CalendarProviders
import Events
import Foundation
import ICalendar
import Kafka
package import Logging
import Messaging
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore
import ServiceLifecycle
import UnixSignals

/// `scheduler availability-responder`: the calendar-service side. It consumes
/// `scheduling.requested` and answers `scheduling.availability`, one reply per interviewer
/// it has a source for, with their busy time over the requested span as conflicts.
/// Replies go through an outbox (ids derived from the request), so a redelivered request is
/// answered once; invalid requests go to the DLQ.
package struct AvailabilityResponder: Sendable {
    let configuration: ResponderConfiguration
    let dataDirectory: String
    let environment: [String: String]
    /// Whether an in-process development Kafka may stand in for `KAFKA_BOOTSTRAP_SERVERS`.
    let embedded: Bool
    let logger: Logger

    package init(configuration: ResponderConfiguration, dataDirectory: String, environment: [String: String], embedded: Bool = false, logger: Logger)
    {
        self.configuration = configuration
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.embedded = embedded
        self.logger = logger
    }

    package func run() async throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let store = try SagaStore(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("responder.sqlite").path)
        var calendars: CalendarDirectory?
        if let file = configuration.calendars {
            calendars = try await CalendarDirectory.load(try CalendarAccountsFile(contentsOf: file), environment: environment)
        }
        let kafka = try await KafkaConnection.open(environment: environment, embedded: embedded, logger: logger)
        let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
        let relay = OutboxRelay(store: store, publisher: KafkaOutboxPublisher(producer: producer), logger: logger)
        let consumer = try KafkaConsumer(
            configuration: kafka.configuration, groupID: "availability-responder", topics: [Topic.schedulingRequested.rawValue], logger: logger)
        let decoder = InboundEventDecoder()
        let directory = calendars
        let feeds = FeedCache()
        let pipeline = InboundPipeline(consumer: consumer, store: store, logger: logger) { message in
            let envelope = try decoder.schedulingRequest(message.value)
            try await store.enqueue(try await self.replies(to: envelope, calendars: directory, feeds: feeds), at: Date())
        }
        logger.notice(
            "availability responder ready", metadata: ["interviewers": "\(configuration.interviewers.keys.sorted().joined(separator: ","))"])
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: Background("outbox-relay", afterShutdown: { _ = await producer.flush(timeout: .seconds(10)) }) { await relay.run() }),
                    .init(
                        service: Background("requests-consumer", onShutdown: { await pipeline.shutdown() }) {
                            await pipeline.run()
                        }),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await producer.shutdown()
        withExtendedLifetime(kafka) {}
    }

    /// One reply per interviewer with a source, the interviewers read at once.
    func replies(to request: EventEnvelope<SchedulingRequested>, calendars: CalendarDirectory?, feeds: FeedCache) async throws -> [OutboxMessage] {
        let spans = request.data.preferredTimes.compactMap { span -> Interval? in
            guard let start = ISO8601.instant(span.start), let end = ISO8601.instant(span.end), start < end else { return nil }
            return Interval(start: start, end: end)
        }
        guard let first = spans.map(\.start).min(), let last = spans.map(\.end).max() else {
            throw EventRejection(.schemaViolation, field: "data.preferredTimes", "must give at least one span")
        }
        let window = Interval(start: first, end: last)
        let answered = request.data.interviewers.enumerated().compactMap { index, interviewer in
            (configuration.interviewers[interviewer] ?? configuration.interviewers[interviewer.lowercased()] ?? configuration.interviewers["*"])
                .map { (index, interviewer, $0) }
        }
        let busy = try await withThrowingTaskGroup(of: (Int, [Interval]).self) { group in
            for (index, interviewer, source) in answered {
                group.addTask { (index, try await self.busyTime(of: interviewer, source: source, in: window, calendars: calendars, feeds: feeds)) }
            }
            return try await group.reduce(into: [Int: [Interval]]()) { $0[$1.0] = $1.1 }
        }
        return try answered.map { index, interviewer, source in
            let conflicts = busy[index] ?? []
            let reply = SchedulingAvailability(
                requestId: request.data.requestId, interviewerId: interviewer,
                availability: [.init(start: ISO8601.format(window.start), end: ISO8601.format(window.end), available: true)],
                conflicts: conflicts.map { .init(start: ISO8601.format($0.start), end: ISO8601.format($0.end), reason: "busy") })
            let id = "\(request.data.requestId):availability:\(interviewer.lowercased())"
            let envelope = EventEnvelope(
                eventId: id, eventType: SchedulingAvailability.eventType, timestamp: Date(), data: reply,
                metadata: EventMetadata(correlationId: request.data.requestId, causationId: request.eventId, service: "availability-responder"))
            logger.info(
                "availability answered",
                metadata: [
                    "requestId": "\(request.data.requestId)", "interviewer": "\(interviewer)", "conflicts": "\(conflicts.count)",
                    "source": "\(source.summary)",
                ])
            return OutboxMessage(id: id, topic: Topic.schedulingAvailability.rawValue, key: request.data.candidateId, payload: try envelope.encoded())
        }
    }

    func busyTime(
        of interviewer: String, source: ResponderConfiguration.Source, in window: Interval, calendars: CalendarDirectory?, feeds: FeedCache
    ) async throws -> [Interval] {
        if source.calendarAccount == true {
            guard let provider = calendars?.account(for: interviewer)?.provider else {
                throw ResponderError("no calendar account serves \(interviewer)")
            }
            return try await provider.busyTime(of: [interviewer], in: window)[interviewer]?.intervals ?? []
        }
        guard let feed = source.feed else { return [] }
        return try await feeds.busyTime(of: feed, ownerZone: source.timeZone.flatMap(IANATimeZone.named) ?? TimeZone.gmt, in: window)
    }
}
