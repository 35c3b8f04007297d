package import Foundation

/// The saga state machine: given an instance, what happened, and the time, it decides the
/// next state, the log lines and the messages to store with it. It performs nothing.
package struct SagaMachine: Sendable {
    package let definition: SagaDefinition

    package init(definition: SagaDefinition) {
        self.definition = definition
    }

    /// A new instance, due to run its first step now.
    package func start(id: String, partitionKey: String, data: SagaData, now: Date) -> SagaTransition {
        let instance = SagaInstance(
            id: id, type: definition.name, definitionVersion: definition.version, partitionKey: partitionKey,
            status: .running, stepIndex: 0, attempt: 0, lastSucceededAction: -1, data: data, waitingFor: nil,
            wakeAt: now, lastError: nil, createdAt: now, updatedAt: now, version: 0)
        return SagaTransition(instance: instance, log: [log(instance, nil, .saga, .started, now)], messages: [])
    }

    /// The work due at `now`, if any.
    package func nextWork(_ instance: SagaInstance, now: Date) -> SagaWork? {
        guard let wakeAt = instance.wakeAt, wakeAt <= now else { return nil }
        let step = definition.steps[instance.stepIndex]
        switch instance.status {
        case .running:
            return .action(step: instance.stepIndex, attempt: instance.attempt + 1, idempotencyKey: "\(instance.id):\(step.name)")
        case .compensating:
            return .compensation(step: instance.stepIndex, attempt: instance.attempt + 1, idempotencyKey: "\(instance.id):\(step.name):compensate")
        case .waiting:
            return .deadline(step: instance.stepIndex)
        case .completed, .compensated, .failed:
            return nil
        }
    }

    /// Records that `work` is about to be attempted. Stored before the handler runs, so
    /// that a crash leaves a trace and the retry reuses the same idempotency key.
    package func begin(_ work: SagaWork, on instance: SagaInstance, now: Date) -> SagaTransition {
        var next = instance
        next.updatedAt = now
        switch work {
        case .action(let step, let attempt, _):
            next.attempt = attempt
            return SagaTransition(instance: next, log: [log(next, step, .action, .started, now)], messages: [])
        case .compensation(let step, let attempt, _):
            next.attempt = attempt
            return SagaTransition(instance: next, log: [log(next, step, .compensation, .started, now)], messages: [])
        case .deadline(let step):
            return SagaTransition(instance: next, log: [log(next, step, .wait, .deadlinePassed, now)], messages: [])
        }
    }

    /// `transition` with the beginning of the action or compensation it makes due at once, if
    /// any, so that a step's result and the start of the work after it are stored in one
    /// commit instead of two; the work is still begun, and stored so, before its handler runs.
    /// Returns the work begun (nil when nothing is due at once, or only a deadline).
    package func continuing(_ transition: SagaTransition, now: Date) -> (transition: SagaTransition, begun: SagaWork?) {
        guard let work = nextWork(transition.instance, now: now) else { return (transition, nil) }
        if case .deadline = work { return (transition, nil) }
        let beginning = begin(work, on: transition.instance, now: now)
        return (SagaTransition(instance: beginning.instance, log: transition.log + beginning.log, messages: transition.messages), work)
    }

    /// Applies what happened to the instance.
    package func apply(_ event: SagaEvent, to instance: SagaInstance, now: Date, unitRandom: Double) throws(IllegalTransition) -> SagaTransition {
        var next = instance
        next.updatedAt = now
        var records: [StepLogRecord] = []
        var messages: [OutboxMessage] = []
        let index = instance.stepIndex
        let step = definition.steps[index]

        func require(_ statuses: SagaStatus..., to attempted: String) throws(IllegalTransition) {
            guard statuses.contains(instance.status) else {
                throw IllegalTransition(sagaID: instance.id, status: instance.status, attempted: attempted)
            }
        }

        switch event {
        case .actionSucceeded(let outcome):
            try require(.running, to: "complete an action")
            next.data = next.data.merging(patch: outcome.dataPatch)
            next.lastSucceededAction = index
            messages += outcome.messages
            records.append(log(next, index, .action, .succeeded, now))
            if let wait = step.wait {
                guard let correlation = outcome.awaitCorrelation, !correlation.isEmpty else {
                    let failure = StepFailure(.permanent, "the action of waiting step \"\(step.name)\" gave no correlation value")
                    records.append(log(next, index, .action, .failed, now, failure))
                    beginCompensation(&next, failure, now, &records)
                    break
                }
                next.status = .waiting
                next.waitingFor = AwaitedEvent(event: wait.event, correlation: correlation)
                next.wakeAt = now.addingTimeInterval(wait.deadline)
                records.append(
                    log(
                        next, index, .wait, .waiting, now,
                        message: "\(wait.event) \(wait.correlation)=\(correlation) until \(next.wakeAt.map(iso) ?? "")"))
            } else {
                advance(&next, now, &records)
            }

        case .actionFailed(let failure):
            try require(.running, to: "fail an action")
            next.lastError = failure
            records.append(log(next, index, .action, .failed, now, failure))
            if step.retry.shouldRetry(failure.kind, afterAttempt: instance.attempt) {
                let delay = step.retry.backoff(afterAttempt: instance.attempt, unitRandom: unitRandom)
                next.wakeAt = now.addingTimeInterval(delay)
                records.append(
                    log(next, index, .action, .retryScheduled, now, message: "attempt \(instance.attempt + 1) at \(next.wakeAt.map(iso) ?? "")"))
            } else {
                // A timeout or transient failure (now or in an earlier attempt) may come after the effect.
                let outcomeUnknown = failure.kind.mayFollowTheEffect || instance.attempt > 1
                beginCompensation(&next, failure, now, &records, includingCurrentStep: outcomeUnknown)
            }

        case .eventArrived(let decision):
            try require(.waiting, to: "accept an event")
            switch decision {
            case .keepWaiting(let patch):
                next.data = next.data.merging(patch: patch)
                records.append(log(next, index, .wait, .eventApplied, now, message: "still waiting"))
            case .complete(let outcome):
                next.data = next.data.merging(patch: outcome.dataPatch)
                messages += outcome.messages
                next.waitingFor = nil
                records.append(log(next, index, .wait, .eventApplied, now, message: "wait complete"))
                advance(&next, now, &records)
            case .fail(let failure):
                next.waitingFor = nil
                next.lastError = failure
                records.append(log(next, index, .wait, .failed, now, failure))
                beginCompensation(&next, failure, now, &records)
            }

        case .deadlinePassed(let decision):
            try require(.waiting, to: "pass a deadline")
            next.waitingFor = nil
            switch decision {
            case .proceed(let outcome):
                next.data = next.data.merging(patch: outcome.dataPatch)
                messages += outcome.messages
                records.append(log(next, index, .wait, .succeeded, now, message: "proceeding at the deadline"))
                advance(&next, now, &records)
            case .fail(let failure):
                next.lastError = failure
                records.append(log(next, index, .wait, .failed, now, failure))
                beginCompensation(&next, failure, now, &records)
            }

        case .compensationSucceeded(let outcome):
            try require(.compensating, to: "complete a compensation")
            messages += outcome.messages
            records.append(log(next, index, .compensation, .succeeded, now))
            continueCompensation(&next, below: index, now, &records)

        case .compensationFailed(let failure):
            try require(.compensating, to: "fail a compensation")
            // An abort stays the reason the saga is undone; the failure is in the log.
            if !instance.wasAborted { next.lastError = failure }
            records.append(log(next, index, .compensation, .failed, now, failure))
            if step.compensationRetry.shouldRetry(failure.kind, afterAttempt: instance.attempt) {
                let delay = step.compensationRetry.backoff(afterAttempt: instance.attempt, unitRandom: unitRandom)
                next.wakeAt = now.addingTimeInterval(delay)
                records.append(
                    log(next, index, .compensation, .retryScheduled, now, message: "attempt \(instance.attempt + 1) at \(next.wakeAt.map(iso) ?? "")")
                )
            } else {
                next.status = .failed
                next.wakeAt = nil
                records.append(
                    log(
                        next, index, .saga, .needsOperator, now, failure,
                        message: "compensation of \"\(step.name)\" failed after \(instance.attempt) attempts"))
            }

        case .abort(let actor, let reason):
            try require(.running, .waiting, to: "abort")
            next.waitingFor = nil
            let failure = StepFailure(.aborted, "aborted by \(actor): \(reason)")
            records.append(log(next, index, .operator, .aborted, now, message: reason, actor: actor))
            // A started action may be running now or have failed after its effect: undo it too.
            beginCompensation(&next, failure, now, &records, includingCurrentStep: instance.status == .running && instance.attempt > 0)

        case .retry(let actor):
            switch instance.status {
            case .failed:
                next.status = .compensating
                next.attempt = 0
                next.wakeAt = now
            case .running, .compensating:
                guard let wakeAt = instance.wakeAt, wakeAt > now else {
                    throw IllegalTransition(sagaID: instance.id, status: instance.status, attempted: "retry: nothing is waiting for a retry")
                }
                next.wakeAt = now
            default:
                throw IllegalTransition(sagaID: instance.id, status: instance.status, attempted: "retry")
            }
            records.append(log(next, index, .operator, .retried, now, actor: actor))
        }
        return SagaTransition(instance: next, log: records, messages: messages)
    }

    /// Whether the instance has gone without progress for longer than the definition allows.
    package func isStuck(_ instance: SagaInstance, now: Date) -> Bool {
        guard !instance.status.isSettled else { return false }
        let reference = max(instance.updatedAt, instance.wakeAt ?? instance.updatedAt)
        return now.timeIntervalSince(reference) > definition.stuckAfter.timeInterval
    }

    // MARK: - Moves

    private func advance(_ instance: inout SagaInstance, _ now: Date, _ records: inout [StepLogRecord]) {
        if instance.stepIndex + 1 == definition.steps.count {
            instance.status = .completed
            instance.wakeAt = nil
            records.append(log(instance, nil, .saga, .completed, now))
        } else {
            instance.stepIndex += 1
            instance.attempt = 0
            instance.status = .running
            instance.wakeAt = now
        }
    }

    /// Starts undoing every step whose action succeeded, and the current one too when its
    /// outcome is unknown (compensations must therefore be safe to run for an action that
    /// never took effect).
    private func beginCompensation(
        _ instance: inout SagaInstance, _ failure: StepFailure, _ now: Date, _ records: inout [StepLogRecord], includingCurrentStep: Bool = false
    ) {
        instance.lastError = failure
        records.append(log(instance, nil, .saga, .compensating, now, failure))
        let bound = max(instance.lastSucceededAction + 1, includingCurrentStep ? instance.stepIndex + 1 : 0)
        continueCompensation(&instance, below: bound, now, &records)
    }

    /// Moves to the highest step below `bound` that has a compensation, or settles as
    /// compensated when none is left.
    private func continueCompensation(_ instance: inout SagaInstance, below bound: Int, _ now: Date, _ records: inout [StepLogRecord]) {
        let candidates = stride(from: bound - 1, through: 0, by: -1)
        if let index = candidates.first(where: { definition.steps[$0].compensation != nil }) {
            instance.status = .compensating
            instance.stepIndex = index
            instance.attempt = 0
            instance.wakeAt = now
        } else {
            instance.status = .compensated
            instance.wakeAt = nil
            records.append(log(instance, nil, .saga, .compensated, now))
        }
    }

    func log(
        _ instance: SagaInstance, _ step: Int?, _ phase: StepLogRecord.Phase, _ outcome: StepLogRecord.Outcome, _ now: Date,
        _ failure: StepFailure? = nil, message: String? = nil, actor: String = "engine"
    ) -> StepLogRecord {
        StepLogRecord(
            sagaID: instance.id, step: step.map { definition.steps[$0].name }, phase: phase,
            attempt: phase == .action || phase == .compensation ? instance.attempt : 0, outcome: outcome, at: now,
            errorKind: failure?.kind, message: failure?.message ?? message, actor: actor)
    }
}

/// Something that happened to an instance.
package enum SagaEvent: Hashable, Sendable {
    case actionSucceeded(StepOutcome)
    case actionFailed(StepFailure)
    case eventArrived(EventDecision)
    case deadlinePassed(DeadlineDecision)
    case compensationSucceeded(CompensationOutcome = CompensationOutcome())
    case compensationFailed(StepFailure)
    /// An operator stops the saga and undoes what it did.
    case abort(by: String, reason: String)
    /// An operator re-runs a failed compensation, or cuts a backoff short.
    case retry(by: String)
}

extension Date {
    func addingTimeInterval(_ duration: Duration) -> Date {
        addingTimeInterval(duration.timeInterval)
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    package var timeInterval: TimeInterval { self / .seconds(1) }
}

private func iso(_ date: Date) -> String {
    date.formatted(.iso8601)
}
