package import Logging
import Synchronization

/// Keeps every log line (level, message, metadata), for tests that expect one.
package final class RecordingLogHandler: LogHandler, Sendable {
    private let records = Mutex<[String]>([])

    package init() {}

    package var messages: [String] { records.withLock { $0 } }
    package var logger: Logger { Logger(label: "recording") { _ in self } }

    package func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        records.withLock { $0.append("\(event.level) \(event.message) \(metadata)") }
    }

    package var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    package var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
}
