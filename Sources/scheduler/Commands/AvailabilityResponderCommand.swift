import ArgumentParser
import Foundation
import SchedulerRuntime

/// `scheduler availability-responder`: the calendar-service side over Kafka.
struct AvailabilityResponderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "availability-responder",
        abstract: "Answer scheduling.requested with scheduling.availability from .ics feeds or calendar accounts.",
        discussion: """
            Without --config, answers for the three sample feeds of ical-samples/ (grace@, alan@ and raman@example.com); \
            with --embedded as well, answers for anyone else with no busy time. KAFKA_* as for serve.
            """
    )

    @Flag(help: "Development mode: an in-process Kafka without KAFKA_BOOTSTRAP_SERVERS; without --config, answer for everyone.")
    var embedded = false

    @Option(help: "responder.yaml: interviewers and their sources (see docs/service.md).")
    var config: String?

    @Option(help: "The sample directory used without --config.")
    var samples = "ical-samples"

    @Option(help: "Where the responder keeps its outbox and inbox.")
    var dataDirectory = "data"

    func run() async throws {
        ProcessSetup.ignoreBrokenPipes()
        let logger = ProcessSetup.bootstrapLogging(label: "availability-responder")
        _ = ProcessSetup.bootstrapMetrics()
        try ParentWatch.startIfAsked()
        let configuration = try config.map { try ResponderConfiguration(contentsOf: $0) } ?? .samples(directory: samples, answeringEveryone: embedded)
        try await AvailabilityResponder(
            configuration: configuration, dataDirectory: dataDirectory, environment: ProcessInfo.processInfo.environment, embedded: embedded,
            logger: logger
        ).run()
    }
}
