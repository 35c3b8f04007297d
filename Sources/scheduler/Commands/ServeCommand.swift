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
            Configured by environment. Required unless --embedded: SCHEDULER_JWT_SECRET (at least 32 bytes), \
            KAFKA_BOOTSTRAP_SERVERS, SCHEDULER_ORGANIZER_EMAIL. Optional: SCHEDULER_DATA_DIR (data), SCHEDULER_SAGAS_DIR \
            (sagas), SCHEDULER_HOST (127.0.0.1), SCHEDULER_PORT (8080), SCHEDULER_CALENDARS (default: the local provider), \
            SCHEDULER_ORGANIZER_NAME, SCHEDULER_INVITATION_DOMAIN, SCHEDULER_CONSUMER_GROUP (interview-worker-main), \
            SCHEDULER_LOG_FORMAT (json|text), KAFKA_*. See docs/service.md.
            """
    )

    @Flag(
        help:
            "Development defaults for one machine: a random signing key kept in the data directory, an in-process Kafka without KAFKA_BOOTSTRAP_SERVERS, a sample organiser."
    )
    var embedded = false

    func run() async throws {
        let options: ServiceOptions
        do {
            options = try ServiceOptions(embedded: embedded)
        } catch {
            throw CommandFailure("\(error)")
        }
        ProcessSetup.ignoreBrokenPipes()
        let logger = ProcessSetup.bootstrapLogging(label: "scheduler")
        let registry = ProcessSetup.bootstrapMetrics()
        try ParentWatch.startIfAsked()
        if embedded {
            logger.warning(
                "embedded mode: development defaults, never for production",
                metadata: [
                    "signingKey": "\(options.jwtSecretSource)",
                    "token": "scheduler token (with the same SCHEDULER_DATA_DIR)",
                ])
        }
        try await SchedulingService(options: options, logger: logger, registry: registry).run()
    }
}
