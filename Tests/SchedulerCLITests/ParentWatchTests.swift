import Foundation
import SchedulerTesting
import Testing

/// `SCHEDULER_EXIT_WITH_PARENT`: a long-running command stops once the process that started it
/// is gone, even when that process was killed outright.
@Suite("Exit with the parent")
struct ParentWatchTests {
    let scheduler = BuiltProducts.executable("scheduler")

    /// Whether `pid` is running: false once it has exited, reaped or a zombie.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[afterName.upperBound...].first != "Z"
    }

    @Test func aClusterWhoseParentIsKilledStops() async throws {
        // A shell starts the cluster (naming itself as the parent), says the cluster's pid,
        // then becomes `sleep`, keeping its pid; killing it leaves the cluster an orphan.
        let output = Pipe()
        let parent = try SpawnedProcess(
            executable: URL(fileURLWithPath: "/bin/sh"),
            // `sleep` does not hold the pipe: a cluster that dies early ends the read.
            arguments: ["-c", #"SCHEDULER_EXIT_WITH_PARENT=$$ "$0" dev-cluster & echo "cluster $!"; exec sleep 600 > /dev/null"#, scheduler.path],
            standardOutput: .descriptor(output.fileHandleForWriting.fileDescriptor))
        try output.fileHandleForWriting.close()
        defer { parent.send(SIGKILL) }
        let reading = output.fileHandleForReading
        // Until the cluster's pid and its bootstrap line are both in: then it is up.
        let printed = await onOwnThread {
            var text = ""
            while !(text.contains("cluster ") && text.contains("127.0.0.1:")) {
                let chunk = reading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            return text
        }
        let clusterPID = printed.split(separator: "\n").first { $0.hasPrefix("cluster ") }.flatMap { pid_t($0.dropFirst("cluster ".count)) }
        let cluster = try #require(clusterPID, "the shell printed: \(printed)")
        defer { if Self.isRunning(cluster) { kill(cluster, SIGKILL) } }
        #expect(printed.contains("127.0.0.1:"), "the cluster came up: \(printed)")
        #expect(Self.isRunning(cluster), "the cluster runs while its parent does")

        parent.send(SIGKILL)
        #expect(await parent.exit() == .signalled(SIGKILL))
        #expect(try await eventually(30) { !Self.isRunning(cluster) }, "the cluster stopped after its parent was killed")
        try reading.close()
    }

    @Test func aValueThatIsNotAProcessIDIsRefusedByName() async throws {
        let directory = try TemporaryDirectory(prefix: "parent-watch")
        defer { directory.remove() }
        for (index, value) in ["", "abc", "-5", "1"].enumerated() {
            let errors = directory.path("stderr-\(index)")
            let command = try SpawnedProcess(
                executable: scheduler, arguments: ["dev-cluster"],
                environment: ProcessInfo.processInfo.environment.merging(["SCHEDULER_EXIT_WITH_PARENT": value]) { _, new in new },
                standardError: .file(errors))
            // Accepted, the cluster would serve until stopped: waited for a while, not for ever.
            let ended = try await eventually(30) { !command.isRunning }
            if !ended { command.send(SIGKILL) }
            let termination = await command.exit()
            #expect(ended && termination.status != 0, "value \"\(value)\": \(termination)")
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            #expect(said.contains("SCHEDULER_EXIT_WITH_PARENT"), "value \"\(value)\": \(said)")
        }
    }
}
