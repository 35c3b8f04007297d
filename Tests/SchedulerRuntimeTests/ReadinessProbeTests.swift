import Dispatch
import Synchronization
import Testing

@testable import SchedulerRuntime

/// `/health/ready` asks Kafka at most once at a time, however many probes arrive.
@Suite("Readiness probe")
struct ReadinessProbeTests {
    final class Counter: Sendable {
        let calls = Atomic<Int>(0)
    }

    @Test func concurrentProbesShareOneCheck() async {
        let counter = Counter()
        let release = DispatchSemaphore(value: 0)
        let probe = ReadinessProbe(freshness: .zero) {
            counter.calls.add(1, ordering: .relaxed)
            return await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    release.wait()
                    continuation.resume(returning: true)
                }
            }
        }
        let answers = Task {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 { group.addTask { await probe.reachable() } }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        // Let every probe arrive while the first check is still out.
        while counter.calls.load(ordering: .relaxed) == 0 { await Task.yield() }
        for _ in 0..<50 { await Task.yield() }
        for _ in 0..<50 { release.signal() }  // enough for checks that were not shared
        let results = await answers.value
        #expect(results.count == 50 && results.allSatisfy { $0 })
        #expect(counter.calls.load(ordering: .relaxed) < 50, "probes arriving while a check ran shared it")
    }

    @Test func aFreshAnswerIsReusedAndAStaleOneIsNot() async {
        let counter = Counter()
        let probe = ReadinessProbe(freshness: .seconds(3600)) {
            counter.calls.add(1, ordering: .relaxed)
            return false
        }
        #expect(await probe.reachable() == false)
        #expect(await probe.reachable() == false)
        #expect(counter.calls.load(ordering: .relaxed) == 1)
        let always = ReadinessProbe(freshness: .zero) {
            counter.calls.add(1, ordering: .relaxed)
            return true
        }
        _ = await always.reachable()
        _ = await always.reachable()
        #expect(counter.calls.load(ordering: .relaxed) == 3)
    }
}
