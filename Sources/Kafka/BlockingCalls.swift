import Dispatch

/// Where librdkafka calls that block for a while (metadata requests, flushes, a consumer's
/// close) run when an async caller needs them: threads of their own, never Swift's
/// cooperative pool, whose few threads must not wait on the network.
package enum BlockingCalls {
    private static let queue = DispatchQueue(label: "kafka-blocking-calls", attributes: .concurrent)

    /// Runs `body` off the cooperative pool and returns its result.
    package static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
