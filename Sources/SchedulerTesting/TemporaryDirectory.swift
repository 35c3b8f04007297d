package import Foundation

/// A fresh directory under the system's temporary folder, removed by `remove()` unless
/// `SCHEDULER_KEEP_TEST_FILES` is set (to read what a failing test left).
package struct TemporaryDirectory: Sendable {
    package let url: URL

    package init(prefix: String = "scheduler-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    package func remove() {
        if let keep = ProcessInfo.processInfo.environment["SCHEDULER_KEEP_TEST_FILES"], !keep.isEmpty, keep != "0" { return }
        try? FileManager.default.removeItem(at: url)
    }
}
