import CalendarProviders
import Events
import Foundation
import Hummingbird
import InterviewScheduling
import Kafka
package import Logging
import Messaging
import Metrics
import NIOCore
package import Prometheus
import SagaCore
import SagaEngine
import SagaStore
import SchedulerHTTP
import ServiceLifecycle
import UnixSignals

/// The scheduling service: the saga engine, the outbox relay to Kafka, the availability
/// consumer and the HTTP API, run as one service group that shuts down gracefully on
/// SIGTERM or SIGINT (the API stops first, then consumption, then the relay; the producer is
/// flushed last).
package struct SchedulingService {
    let options: ServiceOptions
    let logger: Logger
    let registry: PrometheusCollectorRegistry

    package init(options: ServiceOptions, logger: Logger, registry: PrometheusCollectorRegistry) {
        self.options = options
        self.logger = logger
        self.registry = registry
    }

    /// Runs on PostgreSQL when `SCHEDULER_DATABASE_URL` names one, else on SQLite in the data
    /// directory.
    package func run() async throws {
        try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true)
        if let url = options.databaseURL {
            try await runOnPostgres(url)
        } else {
            try await runOnSQLite()
        }
    }

    /// One instance on the SQLite file in the data directory, which it locks.
    func runOnSQLite() async throws {
        let databasePath = options.path(ServiceOptions.sagaDatabaseName)
        let instance = try InstanceLock(path: databasePath + ".lock", guarding: databasePath)
        let sagas = try ServiceDatabase.open(path: databasePath)
        let imported = try await LegacyInterviewDatabase.importIfPresent(in: options.dataDirectory, into: sagas)
        if let repaired = try? await sagas.write({ db in try SagaSettlement.repair(in: db) }), repaired > 0 {
            logger.warning("released interviewer time held by sagas that had ended", metadata: ["sagas": "\(repaired)"])
        }
        if imported > 0 {
            logger.notice(
                "interview records moved into the saga database", metadata: ["rows": "\(imported)", "from": "\(LegacyInterviewDatabase.fileName)"])
        }
        let calendars = try await loadCalendars()

        let candidateLinks = await CandidateLinkSigner(secret: options.candidateLinkSecret, baseURL: options.publicURL ?? "")
        let mailTransport = try options.mail.transport(logger: logger)
        var handlers = SQLiteSagaHandlers()
        InterviewSchedulingHandlers(
            calendars: calendars, store: sagas, organizer: .init(email: options.organizerEmail, name: options.organizerName),
            invitationDomain: options.invitationDomain, defaultLoad: options.defaultLoad,
            pageLinks: options.publicURL == nil ? nil : candidateLinks, mailTransport: mailTransport, logger: logger
        ).register(in: &handlers)
        let catalog = try SagaCatalog.load(directory: URL(fileURLWithPath: options.sagasDirectory), handlers: handlers.inventory)
        let engine = SagaEngine(
            store: sagas, catalog: catalog, handlers: handlers, maxConcurrency: options.sagaWorkers, pollInterval: .milliseconds(200), logger: logger)
        try await engine.checkLiveDefinitionsAreLoaded()

        let kafka = try await KafkaConnection.open(environment: options.environment, embedded: options.embedded, logger: logger)
        let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
        let relay = OutboxRelay(store: sagas, publisher: KafkaOutboxPublisher(producer: producer), logger: logger)
        let consumer = try KafkaConsumer(
            configuration: kafka.configuration, groupID: options.consumerGroup, topics: [Topic.schedulingAvailability.rawValue], logger: logger)
        let pipeline = InboundPipeline(
            consumer: consumer, store: sagas, engine: engine, logger: logger, decode: AvailabilityDelivery.decoding(with: InboundEventDecoder()))

        let mailRelay = MailRelay(store: sagas, transport: mailTransport, logger: logger)

        try await serve(
            application: SchedulingApplication(engine: engine), kafka: kafka, candidateLinks: candidateLinks,
            background: [
                .init(service: Background("saga-engine") { try await engine.run() }),
                .init(service: Background("saga-watchdog") { await engine.watchForStuckSagas() }),
                .init(service: Background("outbox-relay", afterShutdown: { _ = await producer.flush(timeout: .seconds(10)) }) { await relay.run() }),
                .init(service: Background("mail-relay") { await mailRelay.run() }),
                .init(service: Background("outbox-backlog") { await Self.exportBacklog(of: sagas) }),
                .init(service: Background("ledger-watchdog") { await Self.exportOrphanedHolds(of: sagas) }),
                .init(service: Background("consumer-lag") { await Self.exportLag(of: consumer) }),
                .init(service: Background("availability-consumer", onShutdown: { await pipeline.shutdown() }) { await pipeline.run() }),
            ])
        await producer.shutdown()
        withExtendedLifetime((kafka, instance)) {}
    }

    /// The calendar accounts of `SCHEDULER_CALENDARS`, or the local calendars in the data directory.
    func loadCalendars() async throws -> CalendarDirectory {
        let accounts =
            try options.calendarsFile.map { try CalendarAccountsFile(contentsOf: $0) }
            ?? .localOnly(database: options.path("calendars.sqlite"))
        return try await CalendarDirectory.load(accounts, environment: options.environment)
    }

    /// Runs the HTTP API and `background` as one service group until SIGTERM or SIGINT.
    func serve(
        application: SchedulingApplication, kafka: KafkaConnection, candidateLinks: CandidateLinkSigner,
        background: [ServiceGroupConfiguration.ServiceConfiguration]
    ) async throws {
        let services = APIServices(
            application: application, authenticator: await BearerAuthenticator(secret: options.jwtSecret),
            kafkaReady: { await kafka.isReachable() }, metricsText: { [registry] in registry.emitToString() }, candidateLinks: candidateLinks)
        let http = Application(
            router: SchedulerAPI.router(services), configuration: .init(address: .hostname(options.host, port: options.port)),
            onServerRunning: { [logger, options] _ in
                logger.notice(
                    "listening", metadata: ["address": "http://\(options.host):\(options.port)", "kafka": "\(kafka.configuration.bootstrapServers)"])
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: background + [.init(service: http)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ServiceConfigurationError(
                variable: "SCHEDULER_PORT", problem: "\(options.port) is taken: another process listens on \(options.host):\(options.port)")
        }
    }

    /// The gauge `interview_consumer_lag{topic,partition}`: messages not yet handled.
    static func exportLag(of consumer: KafkaConsumer) async {
        while !Task.isCancelled {
            for partition in consumer.lag() {
                Gauge(label: "interview_consumer_lag", dimensions: [("topic", partition.topic), ("partition", "\(partition.partition)")]).record(
                    partition.lag)
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }

    /// The gauge `interview_ledger_orphaned_holds`: holds on interviewer time whose saga has
    /// ended. Settling a saga releases them in the same transaction, so it must read 0.
    static func exportOrphanedHolds(of store: SagaStore) async {
        let gauge = Gauge(label: "interview_ledger_orphaned_holds")
        let ledger = SQLiteInterviewerTimeLedger()
        while !Task.isCancelled {
            if let orphaned = try? await store.read({ db in try ledger.orphanedHolds(in: db) }) { gauge.record(orphaned) }
            try? await Task.sleep(for: .seconds(30))
        }
    }

    /// The gauges `interview_outbox_backlog` (messages written but not yet on Kafka) and
    /// `interview_mail_backlog` (candidate e-mails not yet handed over or given up on).
    static func exportBacklog(of store: SagaStore) async {
        let gauge = Gauge(label: "interview_outbox_backlog")
        let mail = Gauge(label: "interview_mail_backlog")
        while !Task.isCancelled {
            if let backlog = try? await store.outboxBacklog() { gauge.record(backlog) }
            if let backlog = try? await store.read({ db in try MailOutbox.backlog(in: db) }) { mail.record(backlog) }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
