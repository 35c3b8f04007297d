import Foundation
import Logging
import Metrics
import Prometheus
import SchedulerRuntime

/// Logging, metrics and signals for a long-running process.
enum ProcessSetup {
    /// A write to a socket or pipe whose other end has gone fails with `EPIPE` instead of
    /// ending the process (SIGPIPE's default). `serve` got this from SwiftNIO; the responder
    /// and the development cluster did not, and a process started by a shell or a service
    /// manager has SIGPIPE at its default.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    static func bootstrapLogging(label: String) -> Logger {
        let json = ProcessInfo.processInfo.environment["SCHEDULER_LOG_FORMAT"] != "text"
        LoggingSystem.bootstrap { name in
            var handler: any LogHandler = json ? JSONLogHandler(label: name) : StreamLogHandler.standardError(label: name)
            handler.logLevel = ProcessInfo.processInfo.environment["SCHEDULER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        return Logger(label: label)
    }

    static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
