import Foundation
package import Logging
import Synchronization

/// One JSON object a line on standard error: time, level, logger, message and metadata
/// (`sagaId`, `correlationId`, …), for log collectors.
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    let label: String
    private static let output = Mutex<FileHandle>(FileHandle.standardError)

    package init(label: String) {
        self.label = label
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": Date().formatted(.iso8601), "level": "\(event.level)", "logger": label, "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[key] = "\(value)"
        }
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(0x0A)
        // `write(_:)` traps when the write fails (stderr a pipe whose reader went, a full disk):
        // a log line is not worth the service.
        Self.output.withLock { try? $0.write(contentsOf: line) }
    }
}
