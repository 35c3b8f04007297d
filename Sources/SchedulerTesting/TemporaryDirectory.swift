package import Foundation

/// A directory of its own for a test's files, inside this process's `TestFilesRoot`.
package struct TemporaryDirectory: Sendable {
    package let url: URL

    package init(prefix: String = "scheduler-test") throws {
        url = TestFilesRoot.url.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Removes the directory now, unless `SCHEDULER_KEEP_TEST_FILES` is set. What a test does
    /// not remove goes with the process's root.
    package func remove() {
        if TestFilesRoot.keepsFiles { return }
        try? FileManager.default.removeItem(at: url)
    }
}

/// One directory per test process, `scheduler-tests-<pid>` in the system's temporary
/// directory, removed when the process exits (unless `SCHEDULER_KEEP_TEST_FILES` is set).
/// A process that was killed cannot remove its own: the next test process removes the roots
/// of processes that no longer run. Fixtures that cannot tell when a test ends (most of them
/// live as long as one test function) leave their files here instead of in `/tmp` for good.
package enum TestFilesRoot {
    package static let url: URL = {
        let temporary = FileManager.default.temporaryDirectory
        if !keepsFiles { removeRootsOfEndedProcesses(in: temporary) }
        let root = temporary.appendingPathComponent("\(prefix)\(getpid())")
        // A root with this process's id is left over by an ended process that had the same id.
        try? FileManager.default.removeItem(at: root)
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if !keepsFiles {
            atexit {
                try? FileManager.default.removeItem(at: TestFilesRoot.url)
            }
        }
        return root
    }()

    static let keepsFiles: Bool = {
        guard let keep = ProcessInfo.processInfo.environment["SCHEDULER_KEEP_TEST_FILES"] else { return false }
        return !keep.isEmpty && keep != "0"
    }()

    private static let prefix = "scheduler-tests-"

    private static func removeRootsOfEndedProcesses(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }
}
