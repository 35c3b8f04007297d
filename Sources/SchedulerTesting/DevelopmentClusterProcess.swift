import Foundation

/// `scheduler dev-cluster` as a process of its own, for tests that stop it or that give its
/// address to other processes.
package final class DevelopmentClusterProcess: Sendable {
    private let process: SpawnedProcess
    /// The bootstrap servers it printed.
    package let bootstrap: String

    /// Starts the cluster and waits for its first line.
    package init() async throws {
        let output = Pipe()
        process = try SpawnedProcess(
            executable: BuiltProducts.executable("scheduler"), arguments: ["dev-cluster"], environment: BuiltProducts.childEnvironment(),
            standardOutput: .descriptor(output.fileHandleForWriting.fileDescriptor))
        // Only the child writes now: a cluster that dies before printing ends the read.
        try output.fileHandleForWriting.close()
        let reading = output.fileHandleForReading
        let printed = await onOwnThread { reading.availableData }
        bootstrap = String(decoding: printed, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }

    /// Holds every thread of the cluster (SIGSTOP), as a loaded machine may for a moment.
    package func suspend() {
        process.send(SIGSTOP)
    }

    /// Lets a suspended cluster run again.
    package func resume() {
        process.send(SIGCONT)
    }

    /// Ends the cluster, suspended or not, and waits for its exit.
    package func stop() async {
        resume()
        process.send(SIGTERM)
        await process.exit()
    }
}
