import Foundation
import SchedulerTesting
import Synchronization
import Testing

/// The ports test servers listen on, which a stopped server must find free when it starts again.
@Suite("Ports for test servers")
struct FreePortTests {
    /// No port handed out lies where the kernel picks ports for outgoing connections and port-0
    /// listeners; ports asked for at once are all different, and each is free to listen on.
    @Test func portsLieOutsideTheKernelsOwnRangeAndAreHandedOutOnce() async throws {
        let text = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        try #require(bounds.count == 2)
        let ephemeral = bounds[0]...bounds[1]
        try #require(FreePort.range != nil, "this machine's ephemeral range \(ephemeral) leaves room outside it")

        // Each port is listened on as soon as it is handed out: free then is the promise. (A
        // check of all 64 at the end, 15 s later in a loaded full run, once found one taken by
        // a process it could not name; the report now names the holder.)
        let ports = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    let port = try FreePort.next()
                    do {
                        try ListeningSocket(port: port).close()
                    } catch {
                        let holders = try? await ChildProcess(executable: ChildProcess.onPath("ss"), arguments: ["-tanp", "sport", "= :\(port)"])
                            .run()
                        Issue.record("port \(port), just handed out, cannot be listened on: \(error); ss: \(holders?.standardOutput ?? "?")")
                    }
                    return port
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(ports).count == ports.count, "no port twice")
        #expect(ports.filter { ephemeral.contains($0) } == [])
    }

    /// A port found free while other threads start processes can be listened on at once. A
    /// process being started holds a copy of every descriptor until its `exec`; when the check
    /// listened on the port, that copy kept it taken after the check closed it, and a server
    /// starting then was refused (CI: this suite's port test, once in a loaded run).
    @Test func aPortCheckedWhileProcessesStartCanBeListenedOn() async throws {
        let ports = try (0..<4).map { _ in try FreePort.next() }
        let progress = SpawnProgress()
        // Two threads start 300 processes each; whatever happens, each counts itself finished,
        // so the checks below always end.
        let spawners = (0..<2).map { _ in
            Task {
                await onOwnThread {
                    defer { progress.finished.add(1, ordering: .relaxed) }
                    for _ in 0..<300 {
                        guard let child = try? SpawnedProcess(executable: URL(fileURLWithPath: "/bin/true"), arguments: []) else { return }
                        child.waitUntilExit()
                        progress.spawned.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        let (checks, spawnedMeanwhile, refused) = await onOwnThread { () -> (Int, Int, [String]) in
            let spawnedBefore = progress.spawned.load(ordering: .relaxed)
            var checks = 0
            var refused: [String] = []
            while progress.finished.load(ordering: .relaxed) < 2 {
                let port = ports[checks % ports.count]
                checks += 1
                do {
                    guard try ListeningSocket.isFree(port) else {
                        refused.append("\(port): found taken")
                        continue
                    }
                    try ListeningSocket(port: port).close()
                } catch {
                    refused.append("\(port): \(error)")
                }
            }
            return (checks, progress.spawned.load(ordering: .relaxed) - spawnedBefore, refused)
        }
        for spawner in spawners { await spawner.value }
        #expect(spawnedMeanwhile >= 300, "\(spawnedMeanwhile) of 600 processes started while \(checks) checks ran")
        #expect(refused == [], "\(refused.count) of \(checks) checks")
    }

    /// A port handed out stays this process's while it lives, even while nothing listens on
    /// it (a server stopped for a restart): another process's `flock` on its lock file fails.
    @Test func aPortHandedOutIsReservedAgainstOtherProcesses() async throws {
        let port = try FreePort.next()
        let other = try await ChildProcess(
            executable: ChildProcess.onPath("flock"), arguments: ["--nonblock", "/tmp/scheduler-test-ports/\(port)", "true"]
        ).run()
        #expect(other.status != 0, "another process took port \(port)'s lock")
        let directory = try TemporaryDirectory(prefix: "ports")
        defer { directory.remove() }
        let free = try await ChildProcess(executable: ChildProcess.onPath("flock"), arguments: ["--nonblock", directory.path("unlocked"), "true"])
            .run()
        #expect(free.status == 0, "flock works here: \(free.standardError)")
    }
}

/// How many processes the spawning threads have started and seen exit, and how many of those
/// threads have ended.
private final class SpawnProgress: Sendable {
    let spawned = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
}
