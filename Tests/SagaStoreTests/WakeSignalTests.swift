import SagaCore
import SagaStore
import Synchronization
import Testing

/// Every test here would hang without the behaviour it names: the time limit fails it. It is
/// a guard against a hang, not a measure: in a full run, where some 460 tests share the
/// cooperative threads, the loops of 200 waiters take 62–67 s (milliseconds alone).
@Suite("Wake signal", .timeLimit(.minutes(3)))
struct WakeSignalTests {
    @Test func aSignalBeforeTheWaitIsKeptForIt() async {
        let signal = WakeSignal()
        signal.signal()
        await signal.wait(timeout: .seconds(3600))
    }

    @Test func aSignalWakesASleepingWaiter() async {
        let signal = WakeSignal()
        for _ in 0..<200 {
            let waiter = Task { await signal.wait(timeout: .seconds(3600)) }
            signal.signal()
            await waiter.value
        }
    }

    @Test func theTimeoutEndsAWaitWithoutASignal() async {
        let signal = WakeSignal()
        for _ in 0..<50 { await signal.wait(timeout: .milliseconds(1)) }
    }

    @Test func cancellationEndsAWait() async {
        let signal = WakeSignal()
        for _ in 0..<200 {
            let waiter = Task { await signal.wait(timeout: .seconds(3600)) }
            waiter.cancel()
            await waiter.value
        }
    }

    @Test func everyWaiterIsWoken() async {
        let signal = WakeSignal()
        let woken = WokenCount()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await signal.wait(timeout: .seconds(3600))
                    woken.value.add(1, ordering: .relaxed)
                }
            }
            group.addTask {
                while woken.value.load(ordering: .relaxed) < 8 {
                    signal.signal()
                    await Task.yield()
                }
            }
        }
    }
}

private final class WokenCount: Sendable {
    let value = Atomic(0)
}
