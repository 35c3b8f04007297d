import ArgumentParser
import ICalendar
import Kafka

/// `scheduler version`: the versions of the C libraries the binary runs against.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the versions of the scheduler and the C libraries it uses."
    )

    func run() {
        print("scheduler 0.1.0")
        print("librdkafka \(KafkaLibrary.version)")
        print("libical \(ICalendarLibrary.version)")
    }
}
