import Foundation
import SagaCore

/// A three-step saga: book (undo: cancel), await a reply (waits), notify (no undo).
func bookingDefinition(
    maxAttempts: Int = 3, compensationAttempts: Int = 2, retryOn: Set<StepFailure.Kind> = [.transient, .timeout]
) -> SagaDefinition {
    let retry = RetryPolicy(
        maxAttempts: maxAttempts, initialBackoff: .seconds(1), maxBackoff: .seconds(5), multiplier: 2, jitter: .none, retryOn: retryOn)
    let compensationRetry = RetryPolicy(maxAttempts: compensationAttempts, initialBackoff: .seconds(10), maxBackoff: .seconds(10), jitter: .none)
    return SagaDefinition(
        name: "booking", version: 1,
        steps: [
            StepDefinition(
                name: "reserve", action: "reserve", compensation: "release", retry: retry, compensationRetry: compensationRetry, timeout: .seconds(5)),
            StepDefinition(
                name: "book", action: "book", compensation: "cancel", retry: retry, compensationRetry: compensationRetry, timeout: .seconds(5),
                wait: WaitDefinition(event: "reply", correlation: "requestId", onEvent: "collect", deadline: .seconds(60))),
            StepDefinition(name: "notify", action: "notify", compensation: nil, retry: retry, timeout: .seconds(5)),
        ],
        stuckAfter: .seconds(300))
}

/// A clock the tests move by hand.
struct FakeClock {
    var now = Date(timeIntervalSince1970: 1_772_000_000)

    mutating func advance(_ seconds: TimeInterval) {
        now = now.addingTimeInterval(seconds)
    }
}

/// Drives one instance through a machine the way the engine does: begin, then apply.
struct Driver {
    let machine: SagaMachine
    var clock = FakeClock()
    var instance: SagaInstance
    var log: [StepLogRecord] = []
    var messages: [OutboxMessage] = []

    init(_ definition: SagaDefinition) {
        machine = SagaMachine(definition: definition)
        let start = machine.start(id: "saga-1", partitionKey: "cand-1", data: ["candidate": "cand-1"], now: clock.now)
        instance = start.instance
        log = start.log
    }

    /// Begins the due work and reports it.
    mutating func begin() -> SagaWork? {
        guard let work = machine.nextWork(instance, now: clock.now) else { return nil }
        record(machine.begin(work, on: instance, now: clock.now))
        return work
    }

    mutating func apply(_ event: SagaEvent) throws {
        record(try machine.apply(event, to: instance, now: clock.now, unitRandom: 0.5))
    }

    private mutating func record(_ transition: SagaTransition) {
        instance = transition.instance
        log += transition.log
        messages += transition.messages
    }

    var outcomes: [String] {
        log.map { "\($0.phase.rawValue):\($0.step ?? "-"):\($0.outcome.rawValue)" }
    }
}
