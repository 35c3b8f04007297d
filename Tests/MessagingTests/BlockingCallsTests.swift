import Dispatch
import Foundation
import Kafka
import Testing

/// Blocking librdkafka calls (readiness probes, flushes, closes) wait on threads of their own.
@Suite("Blocking calls stay off the cooperative pool")
struct BlockingCallsTests {
    /// Four times as many blocked calls as the pool has threads (one per core): were they on
    /// the pool's threads (or on a concurrent dispatch queue, which shares them on Linux), no
    /// other task could run until libdispatch added threads, seven seconds later when the
    /// machine is idle and twenty under load (seen); on threads of their own, the task runs
    /// at once.
    @Test func asyncWorkGoesOnWhileManyCallsBlock() async throws {
        let release = DispatchSemaphore(value: 0)
        let blocked = 4 * max(ProcessInfo.processInfo.activeProcessorCount, 2)
        let calls = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<blocked { group.addTask { await BlockingCalls.run { release.wait() } } }
            }
        }
        let progressed = try await finishing(within: 5) { await Task.detached { 42 }.value }
        for _ in 0..<blocked { release.signal() }
        await calls.value
        #expect(progressed == 42, "a task ran while \(blocked) calls were blocked")
    }
}
