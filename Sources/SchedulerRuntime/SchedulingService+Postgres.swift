import CalendarProviders
import Events
import Foundation
import InterviewScheduling
import Kafka
import Logging
import Messaging
import Metrics
import PostgresStore
import SagaCore
import SagaEngine
import SchedulerHTTP
import ServiceLifecycle

/// The service as one of several instances on a PostgreSQL database: each claims saga work
/// with leases, the instance that holds the relays' lease publishes to Kafka and sends the
/// candidates' mail, and every instance consumes, answers the API and reads everything.
///
/// Not on PostgreSQL: the import of a pre-ledger interview database, which only SQLite
/// deployments from before the ledger have.
extension SchedulingService {
    func runOnPostgres(_ url: URL) async throws {
        let database = try PostgresDatabase(url: url, logger: logger)
        defer { database.close() }
        let store = try await PostgresServiceDatabase.open(database)
        let owner = options.instanceID
        let name: InstanceNameLock
        do {
            name = try await InstanceNameLock.take(owner, on: database)
        } catch let taken as InstanceNameTaken {
            throw ServiceConfigurationError(
                variable: "SCHEDULER_INSTANCE_ID", problem: "\(taken); give each instance a name of its own (or leave it unset)")
        }
        logger.notice(
            "running on PostgreSQL, one of any number of instances",
            metadata: ["database": "\(url.redactingPassword)", "instance": "\(owner)"])
        let repaired = try await withDeadline(defaultAnswerLimit) {
            try await store.database.transaction { connection in try await SagaSettlement.repair(on: connection, logger: store.database.logger) }
        }
        if repaired > 0 { logger.warning("released interviewer time held by sagas that had ended", metadata: ["sagas": "\(repaired)"]) }
        let calendars = try await loadCalendars()

        // Every instance signs and checks the candidates' links with the same secret.
        let candidateLinks = await CandidateLinkSigner(secret: options.candidateLinkSecret, baseURL: options.publicURL ?? "")
        let mailTransport = try options.mail.transport(logger: logger)
        var handlers = SagaHandlers<PostgresSagaWork.Decision>()
        InterviewSagaHandlers(
            calendars: calendars, storage: PostgresInterviewSagaStorage(store: store, logger: logger),
            organizer: .init(email: options.organizerEmail, name: options.organizerName), invitationDomain: options.invitationDomain,
            defaultLoad: options.defaultLoad, pageLinks: options.publicURL == nil ? nil : candidateLinks, mailTransport: mailTransport,
            logger: logger
        ).register(in: &handlers)
        let catalog = try SagaCatalog.load(directory: URL(fileURLWithPath: options.sagasDirectory), handlers: handlers.inventory)
        let engine = SagaEngine(
            store: PostgresSagaWork(store: store, owner: owner), catalog: catalog, handlers: handlers, maxConcurrency: options.sagaWorkers,
            pollInterval: .milliseconds(200), logger: logger)
        try await engine.checkLiveDefinitionsAreLoaded()

        let kafka = try await KafkaConnection.open(environment: options.environment, embedded: options.embedded, logger: logger)
        let producer = try KafkaProducer(configuration: kafka.configuration, logger: logger)
        let relayOutbox = PostgresRelayOutbox(store: store, owner: owner)
        let relay = OutboxRelay(store: relayOutbox, publisher: KafkaOutboxPublisher(producer: producer), logger: logger)
        let consumer = try KafkaConsumer(
            configuration: kafka.configuration, groupID: options.consumerGroup, topics: [Topic.schedulingAvailability.rawValue], logger: logger)
        let pipeline = InboundPipeline(
            consumer: consumer, store: store, engine: engine, logger: logger, decode: AvailabilityDelivery.decoding(with: InboundEventDecoder()))
        let mailRelay = MailRelay(
            store: PostgresMailRelayStore(store: store, owner: owner), transport: mailTransport, logger: logger)

        do {
            try await serve(
                application: SchedulingApplication(storage: PostgresSchedulingStorage(engine: engine)), kafka: kafka, candidateLinks: candidateLinks,
                background: [
                    .init(service: Background("saga-engine") { try await engine.run() }),
                    .init(
                        service: Background(
                            "outbox-relay",
                            afterShutdown: {
                                _ = await producer.flush(timeout: .seconds(10))
                                // The next instance's relay leads at once instead of after the lease;
                                // not when the name is lost: the lease is the other instance's now.
                                if !name.isLost { try? await relayOutbox.resign() }
                            }
                        ) { await relay.run() }),
                    .init(service: Background("mail-relay") { await mailRelay.run() }),
                    .init(service: Background("saga-watchdog") { await engine.watchForStuckSagas() }),
                    .init(service: Background("outbox-backlog") { await Self.exportBacklog(of: store) }),
                    .init(service: Background("ledger-watchdog") { await Self.exportOrphanedHolds(of: store) }),
                    .init(service: Background("consumer-lag") { await Self.exportLag(of: consumer) }),
                    // Another instance took this one's name while its session was gone (a database
                    // restart): two instances under one name would renew each other's leases.
                    .init(
                        service: Background("instance-name") {
                            await name.lost()
                            guard !Task.isCancelled else { return }
                            throw ServiceConfigurationError(
                                variable: "SCHEDULER_INSTANCE_ID", problem: "another instance took the name \(owner) while the database was away")
                        }, failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: Background("availability-consumer", onShutdown: { await pipeline.shutdown() }) { await pipeline.run() }),
                ])
        } catch {
            // Stopped by a failure (the name lost, say): the name's holder is given up too.
            await producer.shutdown()
            await name.give()
            throw error
        }
        await producer.shutdown()
        await name.give()
        withExtendedLifetime(kafka) {}
    }

    /// The gauges `interview_outbox_backlog` and `interview_mail_backlog`, on PostgreSQL.
    static func exportBacklog(of store: PostgresSagaStore) async {
        let gauge = Gauge(label: "interview_outbox_backlog")
        let mail = Gauge(label: "interview_mail_backlog")
        let outbox = PostgresMailOutbox(logger: store.database.logger)
        while !Task.isCancelled {
            if let backlog = try? await withDeadline(defaultAnswerLimit, { try await store.outboxBacklog() }) { gauge.record(backlog) }
            if let backlog = try? await withDeadline(
                defaultAnswerLimit, { try await store.database.transaction { try await outbox.backlog(in: $0) } })
            {
                mail.record(backlog)
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// The gauge `interview_ledger_orphaned_holds`, on PostgreSQL: it must read 0.
    static func exportOrphanedHolds(of store: PostgresSagaStore) async {
        let gauge = Gauge(label: "interview_ledger_orphaned_holds")
        let ledger = PostgresInterviewerTimeLedger(logger: store.database.logger)
        while !Task.isCancelled {
            if let orphaned = try? await withDeadline(
                defaultAnswerLimit, { try await store.database.transaction { try await ledger.orphanedHolds(in: $0) } })
            {
                gauge.record(orphaned)
            }
            try? await Task.sleep(for: .seconds(30))
        }
    }
}
