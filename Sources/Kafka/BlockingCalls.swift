import Foundation

/// Where librdkafka calls that block for a while (metadata requests, flushes, a consumer's
/// close) run when an async caller needs them: a thread of their own each.
///
/// Not a dispatch queue: on Linux a concurrent queue draws on the same worker threads as
/// Swift's cooperative pool, so a few calls blocked there stall every task in the process
/// until libdispatch adds threads, which takes seconds. These calls are rare (a readiness
/// probe, a shutdown), so a thread each costs nothing that matters.
package enum BlockingCalls {
    /// Runs `body` on a new thread and returns its result.
    package static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "kafka-blocking-call"
            thread.start()
        }
    }
}
