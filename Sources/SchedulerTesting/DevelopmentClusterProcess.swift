import Foundation

/// `scheduler dev-cluster` as a process of its own, for tests that stop it or that give its
/// address to other processes.
package final class DevelopmentClusterProcess: @unchecked Sendable {
    private let process = Process()
    /// The bootstrap servers it printed.
    package let bootstrap: String

    /// Starts the cluster and waits for its first line.
    package init() async throws {
        process.executableURL = BuiltProducts.executable("scheduler")
        process.arguments = ["dev-cluster"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reading = output.fileHandleForReading
        let printed = await onOwnThread { reading.availableData }
        bootstrap = String(decoding: printed, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }

    /// Holds every thread of the cluster (SIGSTOP), as a loaded machine may for a moment.
    package func suspend() {
        kill(process.processIdentifier, SIGSTOP)
    }

    /// Lets a suspended cluster run again.
    package func resume() {
        kill(process.processIdentifier, SIGCONT)
    }

    /// Ends the cluster, suspended or not, and waits for its exit.
    package func stop() async {
        resume()
        process.terminate()
        let process = self.process
        await onOwnThread { process.waitUntilExit() }
    }
}
