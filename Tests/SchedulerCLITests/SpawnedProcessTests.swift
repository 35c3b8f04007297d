import Foundation
import SchedulerTesting
import Testing

/// The tests' own process starter: what a child inherits, how its end is reported, and that
/// it holds with the many descriptors the suite has open at its peak.
@Suite("Spawned processes")
struct SpawnedProcessTests {
    /// This process's limit of open descriptors.
    static var openFileLimit: UInt64 {
        var limit = rlimit()
        return getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? UInt64(limit.rlim_cur) : 0
    }

    /// Opens `count` descriptors without close-on-exec, as leaky as descriptors get.
    private static func openDescriptors(_ count: Int) -> [Int32] {
        (0..<count).map { _ in open("/dev/null", O_RDONLY) }.filter { $0 >= 0 }
    }

    @Test func theChildGetsTheStandardStreamsOnlyAndEverySignalAtItsDefault() async throws {
        let open = Self.openDescriptors(300)
        defer { for descriptor in open { close(descriptor) } }
        #expect(open.count == 300)
        // Something ignored here, so that a child that inherited our dispositions would show it.
        signal(SIGPIPE, SIG_IGN)
        let result = try await ChildProcess(
            executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "ls /proc/self/fd; grep -E '^Sig(Blk|Ign)' /proc/self/status"]
        ).run()
        let lines = result.standardOutput.split(separator: "\n")
        #expect(Set(lines.filter { $0.allSatisfy(\.isNumber) }) == ["0", "1", "2", "3"], "ls sees its own three and its directory")
        // Masks of signals 1–64, bit n-1 for signal n; posix_spawn leaves glibc's own two (32, 33) ignored.
        let masks = lines.filter { $0.hasPrefix("Sig") }.compactMap { $0.split(separator: "\t").last.flatMap { UInt64($0, radix: 16) } }
        #expect(masks.count == 2 && masks.allSatisfy { $0 & 0x7fff_ffff == 0 }, "nothing blocked or ignored among the standard signals: \(lines)")
    }

    @Test func anExitAndASignalAreReportedAsSuch() async throws {
        let exiting = try SpawnedProcess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "exit 3"])
        #expect(await exiting.exit() == .exited(3))
        #expect(!exiting.isRunning)

        let sleeping = try SpawnedProcess(executable: URL(fileURLWithPath: "/bin/sleep"), arguments: ["60"])
        #expect(sleeping.isRunning)
        sleeping.send(SIGTERM)
        #expect(await sleeping.exit() == .signalled(SIGTERM), "the child answers SIGTERM whatever this process does with it")
        #expect(sleeping.waitUntilExit() == .signalled(SIGTERM))
        sleeping.send(SIGKILL)  // reaped: nothing is sent, and nothing fails
    }

    @Test func theEnvironmentAndTheInputReachTheChild() async throws {
        let result = try await ChildProcess(
            executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", #"read line; echo "$line-$GREETING"; echo oops >&2"#],
            environment: ["GREETING": "hello"]
        ).run(input: Data("input\n".utf8))
        #expect(result.status == 0)
        #expect(result.standardOutput == "input-hello\n")
        #expect(result.standardError == "oops\n")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        #expect(throws: SpawnError.self) {
            try SpawnedProcess(executable: URL(fileURLWithPath: "/nonexistent/program"), arguments: [])
        }
    }

    /// Foundation's `Process.run()` could crash the test process once about a thousand
    /// descriptors were open; this starts 32 children at once with 1,500 more open.
    @Test(.enabled(if: Self.openFileLimit >= 8_192, "1,500 more descriptors beside the other suites' need a high limit"))
    func manyChildrenStartAtOnceWithManyDescriptorsOpen() async throws {
        let open = Self.openDescriptors(1_500)
        defer { for descriptor in open { close(descriptor) } }
        #expect(open.count == 1_500)
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<32 {
                group.addTask {
                    try await ChildProcess(executable: URL(fileURLWithPath: "/bin/echo"), arguments: ["\(index)"]).run().standardOutput
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(outputs == Set((0..<32).map { "\($0)\n" }))
    }
}
