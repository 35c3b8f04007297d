import Foundation
import SagaCore
import Testing

@Suite("Saga state machine")
struct SagaMachineTests {
    @Test func happyPathRunsStepsInOrderAndWaitsForTheEvent() throws {
        var driver = Driver(bookingDefinition())
        #expect(driver.begin() == .action(step: 0, attempt: 1, idempotencyKey: "saga-1:reserve"))
        try driver.apply(.actionSucceeded(StepOutcome(dataPatch: ["reserved": true])))
        #expect(driver.begin() == .action(step: 1, attempt: 1, idempotencyKey: "saga-1:book"))
        try driver.apply(.actionSucceeded(StepOutcome(awaitCorrelation: "req-9")))
        #expect(driver.instance.status == .waiting)
        #expect(driver.instance.waitingFor == AwaitedEvent(event: "reply", correlation: "req-9"))
        #expect(driver.begin() == nil, "nothing is due while waiting before the deadline")
        try driver.apply(.eventArrived(.keepWaiting(["replies": 1])))
        #expect(driver.instance.status == .waiting)
        try driver.apply(.eventArrived(.complete(StepOutcome(dataPatch: ["replies": 2]))))
        #expect(driver.begin() == .action(step: 2, attempt: 1, idempotencyKey: "saga-1:notify"))
        let message = OutboxMessage(id: "m1", topic: "t", key: "cand-1", payload: Data("{}".utf8))
        try driver.apply(.actionSucceeded(StepOutcome(messages: [message])))
        #expect(driver.instance.status == .completed)
        #expect(driver.instance.data == ["candidate": "cand-1", "reserved": true, "replies": 2])
        #expect(driver.messages == [message])
        #expect(driver.begin() == nil)
    }

    /// `continuing` adds the start of the work due at once (the next action, a compensation)
    /// to a result; not a retry that waits for its backoff, a wait, or a settled saga.
    @Test func aResultCarriesTheStartOfTheWorkDueAtOnce() throws {
        let machine = SagaMachine(definition: bookingDefinition())
        let now = FakeClock().now
        func result(_ event: SagaEvent, on instance: SagaInstance) throws -> (transition: SagaTransition, begun: SagaWork?) {
            machine.continuing(try machine.apply(event, to: instance, now: now, unitRandom: 0.5), now: now)
        }
        let start = machine.start(id: "saga-1", partitionKey: "cand-1", data: [:], now: now).instance
        let reserving = machine.begin(.action(step: 0, attempt: 1, idempotencyKey: "saga-1:reserve"), on: start, now: now).instance

        let reserved = try result(.actionSucceeded(StepOutcome(dataPatch: ["reserved": true])), on: reserving)
        #expect(reserved.begun == .action(step: 1, attempt: 1, idempotencyKey: "saga-1:book"))
        #expect(reserved.transition.instance.stepIndex == 1 && reserved.transition.instance.attempt == 1)
        #expect(reserved.transition.instance.version == reserving.version, "one stored change: the version moves once")
        #expect(reserved.transition.log.map { "\($0.step ?? "-"):\($0.outcome.rawValue)" } == ["reserve:succeeded", "book:started"])

        let retrying = try result(.actionFailed(StepFailure(.transient, "503")), on: reserved.transition.instance)
        #expect(retrying.begun == nil && retrying.transition.instance.attempt == 1, "a retry waits for its backoff")

        let waiting = try result(.actionSucceeded(StepOutcome(awaitCorrelation: "req-9")), on: reserved.transition.instance)
        #expect(waiting.begun == nil && waiting.transition.instance.status == .waiting)

        let refused = try result(.actionFailed(StepFailure(.permanent, "no")), on: reserved.transition.instance)
        #expect(refused.begun == .compensation(step: 0, attempt: 1, idempotencyKey: "saga-1:reserve:compensate"))
        #expect(refused.transition.instance.status == .compensating && refused.transition.instance.attempt == 1)
    }

    @Test func retriesFollowTheExponentialBackoffThenCompensate() throws {
        var driver = Driver(bookingDefinition(maxAttempts: 4))
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        var delays: [TimeInterval] = []
        for attempt in 1...4 {
            #expect(driver.begin() == .action(step: 1, attempt: attempt, idempotencyKey: "saga-1:book"), "the key is stable across attempts")
            try driver.apply(.actionFailed(StepFailure(.transient, "503")))
            if let wake = driver.instance.wakeAt, driver.instance.status == .running {
                delays.append(wake.timeIntervalSince(driver.clock.now))
                #expect(driver.begin() == nil, "nothing runs before the backoff ends")
                driver.clock.now = wake
            }
        }
        #expect(delays == [1, 2, 4], "1s, doubling, capped at 5s")
        #expect(driver.instance.status == .compensating)
        #expect(driver.instance.stepIndex == 1, "a transient failure may follow the effect, so the failed step is undone too")
    }

    @Test func onlyARefusalOnTheFirstAttemptLeavesTheStepUncompensated() throws {
        for (failures, undone) in [([StepFailure.Kind.timeout], 1), ([.permanent], 0), ([.conflict], 0), ([.transient, .permanent], 1)] {
            var driver = Driver(bookingDefinition(maxAttempts: failures.count, retryOn: [.transient]))
            _ = driver.begin()
            try driver.apply(.actionSucceeded(StepOutcome()))
            for kind in failures {
                _ = driver.begin()
                try driver.apply(.actionFailed(StepFailure(kind, "no")))
                if let wake = driver.instance.wakeAt { driver.clock.now = wake }
            }
            #expect(driver.instance.status == .compensating)
            #expect(driver.instance.stepIndex == undone, "\(failures)")
        }
    }

    @Test func backoffIsCappedAndJittered() {
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), maxBackoff: .seconds(2), multiplier: 3, jitter: .full)
        #expect(policy.backoff(afterAttempt: 1, unitRandom: 0.999) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 3, unitRandom: 0.999) == .milliseconds(899))
        #expect(policy.backoff(afterAttempt: 8, unitRandom: 0.5) == .seconds(1), "half of the 2 s cap")
        #expect(policy.backoff(afterAttempt: 8, unitRandom: 0) == .zero)
        let equal = RetryPolicy(maxAttempts: 10, initialBackoff: .seconds(4), jitter: .equal)
        #expect(equal.backoff(afterAttempt: 1, unitRandom: 0) == .seconds(2))
    }

    @Test func permanentFailuresAreNotRetried() throws {
        var driver = Driver(bookingDefinition(maxAttempts: 5))
        _ = driver.begin()
        try driver.apply(.actionFailed(StepFailure(.permanent, "400 bad request")))
        #expect(driver.instance.status == .compensated, "nothing succeeded, so nothing to undo")
        #expect(driver.instance.lastError == StepFailure(.permanent, "400 bad request"))
    }

    @Test func compensationRunsInReverseOrderOfCompletedSteps() throws {
        var driver = Driver(bookingDefinition())
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome(awaitCorrelation: "req-1")))
        try driver.apply(.eventArrived(.fail(StepFailure(.conflict, "slot taken"))))
        #expect(driver.begin() == .compensation(step: 1, attempt: 1, idempotencyKey: "saga-1:book:compensate"))
        try driver.apply(.compensationSucceeded())
        #expect(driver.begin() == .compensation(step: 0, attempt: 1, idempotencyKey: "saga-1:reserve:compensate"))
        try driver.apply(.compensationSucceeded())
        #expect(driver.instance.status == .compensated)
        #expect(
            driver.outcomes.filter { $0.hasPrefix("compensation:") && $0.hasSuffix(":succeeded") } == [
                "compensation:book:succeeded", "compensation:reserve:succeeded",
            ])
    }

    @Test func anAbortedSagaStaysAbortedWhenAnUndoStepFailsOnce() throws {
        var driver = Driver(bookingDefinition())
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        try driver.apply(.abort(by: "carol", reason: "candidate withdrew"))
        _ = driver.begin()
        try driver.apply(.compensationFailed(StepFailure(.transient, "provider down")))
        #expect(driver.instance.wasAborted, "the reason for the undo is still the abort")
        driver.clock.advance(10)
        _ = driver.begin()
        try driver.apply(.compensationSucceeded())
        #expect(driver.instance.status == .compensated && driver.instance.wasAborted)
        #expect(
            driver.log.contains { $0.phase == .compensation && $0.outcome == .failed && $0.message == "provider down" }, "the failure is in the log")
    }

    @Test func aCompensationsMessagesAreStoredWithItsResult() throws {
        var driver = Driver(bookingDefinition())
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        _ = driver.begin()
        try driver.apply(.actionFailed(StepFailure(.permanent, "no")))
        _ = driver.begin()
        let withdrawn = OutboxMessage(id: "saga-1:interview.cancelled", topic: "interview.cancelled", key: "iv-1", payload: Data("{}".utf8))
        try driver.apply(.compensationSucceeded(CompensationOutcome(messages: [withdrawn])))
        #expect(driver.instance.status == .compensated)
        #expect(driver.messages == [withdrawn])
    }

    @Test func aCompensationThatKeepsFailingParksTheSagaForAnOperator() throws {
        var driver = Driver(bookingDefinition(compensationAttempts: 2))
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        _ = driver.begin()
        try driver.apply(.actionFailed(StepFailure(.permanent, "no")))
        #expect(driver.begin() == .compensation(step: 0, attempt: 1, idempotencyKey: "saga-1:reserve:compensate"))
        try driver.apply(.compensationFailed(StepFailure(.transient, "timeout talking to provider")))
        #expect(driver.instance.wakeAt == driver.clock.now.addingTimeInterval(10))
        driver.clock.advance(10)
        #expect(driver.begin() == .compensation(step: 0, attempt: 2, idempotencyKey: "saga-1:reserve:compensate"))
        try driver.apply(.compensationFailed(StepFailure(.transient, "still down")))
        #expect(driver.instance.status == .failed)
        #expect(driver.begin() == nil, "a failed saga waits for an operator")
        #expect(driver.outcomes.last == "saga:reserve:needsOperator")

        try driver.apply(.retry(by: "alice"))
        #expect(driver.log.last?.actor == "alice")
        #expect(driver.begin() == .compensation(step: 0, attempt: 1, idempotencyKey: "saga-1:reserve:compensate"))
        try driver.apply(.compensationSucceeded())
        #expect(driver.instance.status == .compensated)
    }

    @Test func deadlineEitherProceedsOrFails() throws {
        var proceed = Driver(bookingDefinition())
        _ = proceed.begin()
        try proceed.apply(.actionSucceeded(StepOutcome()))
        _ = proceed.begin()
        try proceed.apply(.actionSucceeded(StepOutcome(awaitCorrelation: "r")))
        proceed.clock.advance(59)
        #expect(proceed.begin() == nil)
        proceed.clock.advance(1)
        #expect(proceed.begin() == .deadline(step: 1))
        try proceed.apply(.deadlinePassed(.proceed(StepOutcome(dataPatch: ["partial": true]))))
        #expect(proceed.instance.status == .running)
        #expect(proceed.instance.stepIndex == 2)

        var fail = Driver(bookingDefinition())
        _ = fail.begin()
        try fail.apply(.actionSucceeded(StepOutcome()))
        _ = fail.begin()
        try fail.apply(.actionSucceeded(StepOutcome(awaitCorrelation: "r")))
        fail.clock.advance(60)
        _ = fail.begin()
        try fail.apply(.deadlinePassed(.fail(StepFailure(.timeout, "no reply from 2 of 3 interviewers"))))
        #expect(fail.instance.status == .compensating)
        #expect(fail.instance.stepIndex == 1, "the waiting step's own action is undone too")
    }

    @Test func eventsForASagaThatIsNotWaitingAreIllegal() throws {
        var driver = Driver(bookingDefinition())
        #expect(throws: IllegalTransition.self) { try driver.apply(.eventArrived(.complete(StepOutcome()))) }
        #expect(throws: IllegalTransition.self) { try driver.apply(.compensationSucceeded()) }
        #expect(throws: IllegalTransition.self) { try driver.apply(.retry(by: "bob")) }
        #expect(driver.instance.status == .running, "a refused event changes nothing")
    }

    @Test func abortCompensatesWhatWasDone() throws {
        var driver = Driver(bookingDefinition())
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        try driver.apply(.abort(by: "carol", reason: "candidate withdrew"))
        #expect(driver.instance.status == .compensating)
        #expect(driver.instance.stepIndex == 0, "the next step had not started")
        #expect(driver.instance.lastError?.message == "aborted by carol: candidate withdrew")
        #expect(driver.instance.lastError?.kind == .aborted, "an abort is reported as such, not as a failure")
        _ = driver.begin()
        try driver.apply(.compensationSucceeded())
        #expect(driver.instance.status == .compensated)
        #expect(throws: IllegalTransition.self) { try driver.apply(.abort(by: "carol", reason: "again")) }
    }

    @Test func anAbortDuringAStepUndoesItAndKeepsItsLateResult() throws {
        var driver = Driver(bookingDefinition())
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        let begun = driver.begin()
        let work = try #require(begun)
        try driver.apply(.abort(by: "carol", reason: "withdrew"))
        #expect(driver.instance.stepIndex == 1, "book had started: its effect may exist")
        let message = OutboxMessage(id: "m", topic: "t", key: "k", payload: Data())
        let late = driver.machine.late(
            .actionSucceeded(StepOutcome(dataPatch: ["booking": "b-1"], messages: [message])), of: work, on: driver.instance, now: driver.clock.now)
        #expect(late.instance.status == .compensating && late.instance.stepIndex == 1, "the abort stands")
        #expect(late.instance.data["booking"] == "b-1", "the compensation can find what to undo")
        #expect(late.messages == [message])
        #expect(late.log.map { "\($0.step ?? ""):\($0.outcome.rawValue):\($0.attempt)" } == ["book:succeeded:1"])
    }

    @Test func aWaitingStepWithoutCorrelationFails() throws {
        var driver = Driver(bookingDefinition())
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        #expect(driver.instance.status == .compensating)
        #expect(driver.instance.stepIndex == 1)
    }

    @Test func stuckMeansNoProgressForLongerThanAllowed() throws {
        var driver = Driver(bookingDefinition())
        #expect(!driver.machine.isStuck(driver.instance, now: driver.clock.now.addingTimeInterval(300)))
        #expect(driver.machine.isStuck(driver.instance, now: driver.clock.now.addingTimeInterval(301)))
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome()))
        _ = driver.begin()
        try driver.apply(.actionSucceeded(StepOutcome(awaitCorrelation: "r")))
        #expect(
            !driver.machine.isStuck(driver.instance, now: driver.clock.now.addingTimeInterval(60 + 300)), "waiting until the deadline is not stuck")
        #expect(driver.machine.isStuck(driver.instance, now: driver.clock.now.addingTimeInterval(60 + 301)))
    }

    @Test func diagramNamesEveryStepAndCompensation() {
        let diagram = SagaDiagram.mermaid(bookingDefinition())
        #expect(diagram.hasPrefix("stateDiagram-v2\n"))
        #expect(diagram.contains("[*] --> step0"))
        #expect(diagram.contains("step1 --> wait1: succeeded"))
        #expect(diagram.contains("wait1 --> undo1: rejected or deadline"))
        #expect(diagram.contains("undo1 --> undo0: undone"))
        #expect(diagram.contains("undo0 --> Compensated: undone"))
        #expect(diagram.contains("step2 --> undo1: failed after 3 attempts"))
        #expect(diagram.contains("step1 --> undo0: refused"))
        #expect(diagram.contains("step1 --> undo1: timed out or failed after 3 attempts"), "an unknown outcome is undone too")
        #expect(!diagram.contains("undo2"), "notify has no compensation")
    }
}
