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

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        let relay = OutboxRelay(store: store, publisher: KafkaOutboxPublisher(producer: producer), idleInterval: .milliseconds(20), logger: logger)
        let consumer = try KafkaConsumer(
            configuration: kafka.configuration, groupID: "availability-responder", topics: [Topic.schedulingRequested.rawValue], logger: logger)
        let decoder = InboundEventDecoder()
        let directory = calendars
        let pipeline = InboundPipeline(consumer: consumer, store: store, logger: logger) { message in
            let envelope = try decoder.schedulingRequest(message.value)
            for reply in try await self.replies(to: envelope, calendars: directory) {
                try await store.enqueue(reply, at: Date())
            }
        }
        logger.notice(
            "availability responder ready", metadata: ["interviewers": "\(configuration.interviewers.keys.sorted().joined(separator: ","))"])
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: Background("outbox-relay", afterShutdown: { _ = await BlockingCalls.run { producer.flush(timeout: .seconds(10)) } })
                        { await relay.run() }),
                    .init(
                        service: Background("requests-consumer", onShutdown: { await BlockingCalls.run { consumer.close() } }) {
                            await pipeline.run()
                        }),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await BlockingCalls.run { producer.shutdown() }
        withExtendedLifetime(kafka) {}
    }

    /// One reply per interviewer with a source.
    func replies(to request: EventEnvelope<SchedulingRequested>, calendars: CalendarDirectory?) async throws -> [OutboxMessage] {
        let spans = request.data.preferredTimes.compactMap { span -> Interval? in
            guard let start = ISO8601.instant(span.start), let end = ISO8601.instant(span.end), start < end else { return nil }
            return Interval(start: start, end: end)
        }
        guard let first = spans.map(\.start).min(), let last = spans.map(\.end).max() else {
            throw EventRejection(.schemaViolation, field: "data.preferredTimes", "must give at least one span")
        }
        let window = Interval(start: first, end: last)
        var messages: [OutboxMessage] = []
        for interviewer in request.data.interviewers {
            guard
                let source = configuration.interviewers[interviewer] ?? configuration.interviewers[interviewer.lowercased()]
                    ?? configuration.interviewers["*"]
            else { continue }
            let busy = try await busyTime(of: interviewer, source: source, in: window, calendars: calendars)
            let reply = SchedulingAvailability(
                requestId: request.data.requestId, interviewerId: interviewer,
                availability: [.init(start: ISO8601.format(window.start), end: ISO8601.format(window.end), available: true)],
                conflicts: busy.map { .init(start: ISO8601.format($0.start), end: ISO8601.format($0.end), reason: "busy") })
            let id = "\(request.data.requestId):availability:\(interviewer.lowercased())"
            let envelope = EventEnvelope(
                eventId: id, eventType: SchedulingAvailability.eventType, timestamp: Date(), data: reply,
                metadata: EventMetadata(correlationId: request.data.requestId, causationId: request.eventId, service: "availability-responder"))
            messages.append(
                OutboxMessage(id: id, topic: Topic.schedulingAvailability.rawValue, key: request.data.candidateId, payload: try envelope.encoded()))
            logger.info(
                "availability answered",
                metadata: [
                    "requestId": "\(request.data.requestId)", "interviewer": "\(interviewer)", "conflicts": "\(busy.count)",
                    "source": "\(source.summary)",
                ])
        }
        return messages
    }

    func busyTime(
        of interviewer: String, source: ResponderConfiguration.Source, in window: Interval, calendars: CalendarDirectory?
    ) async throws -> [Interval] {
        if source.calendarAccount == true {
            guard let provider = calendars?.account(for: interviewer)?.provider else {
                throw ResponderError("no calendar account serves \(interviewer)")
            }
            return try await provider.busyTime(of: [interviewer], in: window)[interviewer]?.intervals ?? []
        }
        guard let feed = source.feed else { return [] }
        let bytes = try await Self.read(feed)
        let zone = source.timeZone.flatMap(IANATimeZone.named) ?? TimeZone.gmt
        return try BusyTimeReader(ownerZone: zone).busyTime(in: try ICalendarDocument(bytes: bytes), window: window).intervals
    }

    static func read(_ feed: String) async throws -> [UInt8] {
        if let url = URL(string: feed), url.scheme == "https" || url.scheme == "http" {
            let (data, response) = try await URLSession.shared.data(from: url)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                throw ResponderError("\(feed): HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
            }
            return Array(data)
        }
        guard let data = FileManager.default.contents(atPath: feed) else { throw ResponderError("\(feed): cannot be read") }
        return Array(data)
    }
}
