import Foundation
import SagaCore

extension SagaEngine {
    /// What a handler call produced: what happened, or a decision to take in the transaction
    /// that stores it.
    enum Performed: Sendable {
        case happened(SagaEvent)
        case decideInTransaction(Store.Decision)
    }

    /// Calls the handler the work names, within the step's timeout, and reports what happened.
    func perform(_ work: SagaWork, of instance: SagaInstance, definition: SagaDefinition) async -> Performed {
        let step = definition.steps[instance.stepIndex]
        if case .action(_, _, let key) = work, case .decidingInTransaction(let action)? = handlers.actions[step.action]?.run {
            let context = StepContext(
                sagaID: instance.id, sagaType: instance.type, step: step.name, attempt: instance.attempt, idempotencyKey: key,
                partitionKey: instance.partitionKey, data: instance.data, lastError: instance.lastError, now: clock.now())
            do {
                return .decideInTransaction(try await within(step.timeout) { try await action(context) })
            } catch {
                return .happened(.actionFailed(StepFailure(describing: error)))
            }
        }
        return .happened(await performDirectly(work, of: instance, definition: definition))
    }

    /// Runs an action, compensation or deadline handler whose result is an event.
    private func performDirectly(_ work: SagaWork, of instance: SagaInstance, definition: SagaDefinition) async -> SagaEvent {
        let step = definition.steps[instance.stepIndex]
        let now = clock.now()
        let context: @Sendable (String) -> StepContext = { key in
            StepContext(
                sagaID: instance.id, sagaType: instance.type, step: step.name, attempt: instance.attempt,
                idempotencyKey: key, partitionKey: instance.partitionKey, data: instance.data, lastError: instance.lastError, now: now)
        }
        switch work {
        case .action(_, _, let key):
            guard case .direct(let action)? = handlers.actions[step.action]?.run else {
                return .actionFailed(StepFailure(.permanent, "action handler \"\(step.action)\" is not registered"))
            }
            do {
                return .actionSucceeded(try await within(step.timeout) { try await action(context(key)) })
            } catch {
                return .actionFailed(StepFailure(describing: error))
            }
        case .compensation(_, _, let key):
            guard let name = step.compensation, let compensation = handlers.compensations[name] else {
                return .compensationFailed(StepFailure(.permanent, "compensation handler \"\(step.compensation ?? "")\" is not registered"))
            }
            do {
                return .compensationSucceeded(try await within(step.timeout) { try await compensation(context(key)) })
            } catch {
                return .compensationFailed(StepFailure(describing: error))
            }
        case .deadline:
            let event = step.wait?.event ?? "the awaited event"
            guard let name = step.wait?.onDeadline, let handler = handlers.deadlineHandlers[name] else {
                return .deadlinePassed(.fail(StepFailure(.timeout, "no \(event) arrived before the deadline")))
            }
            do {
                return .deadlinePassed(try await within(step.timeout) { try await handler(context("\(instance.id):\(step.name):deadline")) })
            } catch {
                return .deadlinePassed(.fail(StepFailure(describing: error)))
            }
        }
    }

    /// Runs `body`, failing with a `.timeout` step failure when it takes longer than `limit`.
    func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw StepFailure(.timeout, "did not finish within \(DurationText.format(limit))")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }
}

extension StepFailure {
    /// A handler's error as a step failure: `StepFailure` as thrown, anything else transient.
    init(describing error: any Error) {
        if let failure = error as? StepFailure {
            self = failure
        } else {
            self.init(.transient, String(describing: error))
        }
    }
}
