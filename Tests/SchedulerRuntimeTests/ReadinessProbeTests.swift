import Synchronization
import Testing

@testable import SchedulerRuntime

/// `/health/ready` asks Kafka at most once at a time, however many probes arrive.
@Suite("Readiness probe")
struct ReadinessProbeTests {
    final class Counter: Sendable {
        let calls = Atomic<Int>(0)
    }

    /// Holds every check until opened, without holding a thread.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func passed() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if !state.open { state.waiting.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            for waiting in state.withLock({ state in
                state.open = true
                defer { state.waiting = [] }
                return state.waiting
            }) { waiting.resume() }
        }
    }

    @Test func concurrentProbesShareOneCheck() async {
        let counter = Counter()
        let gate = Gate()
        let probe = ReadinessProbe(freshness: .zero) {
            counter.calls.add(1, ordering: .relaxed)
            await gate.passed()
            return true
        }
        let answers = Task {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 { group.addTask { await probe.reachable() } }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        // Let every probe arrive while the first check is still out.
        while counter.calls.load(ordering: .relaxed) == 0 { try? await Task.sleep(for: .milliseconds(1)) }
        for _ in 0..<50 { await Task.yield() }
        gate.open()
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
