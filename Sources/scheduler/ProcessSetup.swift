import Foundation
import Logging
import Metrics
import Prometheus
import SchedulerRuntime

/// Logging and metrics for a long-running process.
enum ProcessSetup {
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
