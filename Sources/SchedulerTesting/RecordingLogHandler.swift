import Logging
import Synchronization

/// Keeps every log line (level, message, metadata), for tests that expect one.
public final class RecordingLogHandler: LogHandler, Sendable {
    private let records = Mutex<[String]>([])

    public init() {}

    public var messages: [String] { records.withLock { $0 } }
    public var logger: Logger { Logger(label: "recording") { _ in self } }

    public func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        records.withLock { $0.append("\(event.level) \(event.message) \(metadata)") }
    }

    public var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    public var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
}
