import ArgumentParser
import Foundation
import Logging
import SchedulerHTTP
import SchedulerRuntime

/// `scheduler serve`: the scheduling service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the scheduling service: REST API, saga engine, Kafka outbox and consumer.",
        discussion: """
            Configured by environment: SCHEDULER_DATA_DIR (data), SCHEDULER_SAGAS_DIR (sagas), SCHEDULER_HOST (127.0.0.1), \
            SCHEDULER_PORT (8080), SCHEDULER_CALENDARS (calendars.yaml; default: the local provider), SCHEDULER_JWT_SECRET \
            (default: a development key, with a warning), SCHEDULER_LOG_FORMAT (json|text), and KAFKA_* (without \
            KAFKA_BOOTSTRAP_SERVERS an embedded development cluster is started). See docs/service.md.
            """
    )

    func run() async throws {
        let options = ServiceOptions()
        let logger = ProcessSetup.bootstrapLogging(label: "scheduler")
        let registry = ProcessSetup.bootstrapMetrics()
        if options.jwtSecret == ServiceOptions.developmentSecret {
            logger.warning("SCHEDULER_JWT_SECRET is not set: using the development key; never do this in production")
        }
        try await SchedulingService(options: options, logger: logger, registry: registry).run()
    }
}
