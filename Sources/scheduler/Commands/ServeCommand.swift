import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
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

/// `scheduler availability-responder`: the calendar-service side over Kafka.
struct AvailabilityResponderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "availability-responder",
        abstract: "Answer scheduling.requested with scheduling.availability from .ics feeds or calendar accounts.",
        discussion: "Without --config, answers for the three sample feeds of ical-samples/ (grace@, alan@ and raman@example.com). KAFKA_* as for serve."
    )

    @Option(help: "responder.yaml: interviewers and their sources (see docs/service.md).")
    var config: String?

    @Option(help: "The sample directory used without --config.")
    var samples = "ical-samples"

    @Option(help: "Where the responder keeps its outbox and inbox.")
    var dataDirectory = "data"

    func run() async throws {
        let logger = ProcessSetup.bootstrapLogging(label: "availability-responder")
        _ = ProcessSetup.bootstrapMetrics()
        let configuration = try config.map { try ResponderConfiguration(contentsOf: $0) } ?? .samples(directory: samples)
        try await AvailabilityResponder(configuration: configuration, dataDirectory: dataDirectory, environment: ProcessInfo.processInfo.environment, logger: logger).run()
    }
}

/// `scheduler token`: a bearer token for the API, signed with SCHEDULER_JWT_SECRET.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a bearer token for the REST API.")

    @Option(help: "The caller: a recruiter's e-mail address, say.")
    var subject = "recruiter@example.com"

    @Option(help: "recruiter or admin.")
    var role = "recruiter"

    @Option(help: "Validity in hours.")
    var hours = 24.0

    func run() async throws {
        guard let role = Caller.Role(rawValue: role) else { throw CommandFailure("--role: expected recruiter or admin, got \"\(role)\"") }
        let secret = ServiceOptions().jwtSecret
        print(try await BearerAuthenticator(secret: secret).token(for: Caller(subject: subject, role: role), validFor: hours * 3600))
    }
}

/// Logging and metrics for a long-running process.
enum ProcessSetup {
    static func bootstrapLogging(label: String) -> Logger {
        let json = ProcessInfo.processInfo.environment["SCHEDULER_LOG_FORMAT"] != "text"
        LoggingSystem.bootstrap { name in
            var handler: any LogHandler = json ? JSONLogHandler(label: name) : StreamLogHandler.standardError(label: name)
            handler.logLevel = ProcessInfo.processInfo.environment["SCHEDULER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        return Logger(label: label)
    }

    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
