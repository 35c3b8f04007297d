import ArgumentParser
import Dispatch
import Foundation
import Kafka
import Messaging

/// `scheduler dev-cluster`: an in-memory Kafka with the catalog topics, until stopped.
struct DevClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cluster",
        abstract: "Run a non-durable development Kafka cluster (librdkafka's mock) with every catalog topic.",
        discussion:
            "Prints the bootstrap servers on the first line of standard output, then serves until SIGINT or SIGTERM. External clients such as kcat can produce and consume against it."
    )

    @Option(help: "Number of brokers.")
    var brokers = 3

    func run() throws {
        ProcessSetup.ignoreBrokenPipes()
        try ParentWatch.startIfAsked()
        let cluster = try DevelopmentCluster(brokers: brokers)
        // Unbuffered, so that a parent process reading the first line gets it at once.
        FileHandle.standardOutput.write(
            Data(
                """
                \(cluster.mock.bootstrapServers)
                # development cluster: not durable; try: kcat -b \(cluster.mock.bootstrapServers) -L

                """.utf8))
        StopSignal.wait()
        withExtendedLifetime(cluster) {}
    }
}

/// Blocks until SIGINT or SIGTERM.
enum StopSignal {
    static func wait() {
        let stopped = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stopped.signal() }
            source.resume()
            sources.append(source)
        }
        stopped.wait()
        for source in sources { source.cancel() }
    }
}
