package import Foundation

extension SagaMachine {
    /// Records `work`'s result on an instance that someone else (an operator in another
    /// process) moved while the work ran, without moving it further: the action's data and
    /// messages are kept (a compensation may need the data) with its log line. An abort
    /// decided while the action had started already compensates it.
    package func late(_ event: SagaEvent, of work: SagaWork, on instance: SagaInstance, now: Date) -> SagaTransition {
        var next = instance
        next.updatedAt = now
        var stamped = next
        let note = "finished after the saga was moved by another writer"
        var records: [StepLogRecord] = []
        var messages: [OutboxMessage] = []
        switch (work, event) {
        case (.action(let step, let attempt, _), .actionSucceeded(let outcome)):
            next.data = next.data.merging(patch: outcome.dataPatch)
            next.lastSucceededAction = max(next.lastSucceededAction, step)
            messages = outcome.messages
            stamped.attempt = attempt
            records.append(log(stamped, step, .action, .succeeded, now, message: note))
        case (.action(let step, let attempt, _), .actionFailed(let failure)):
            stamped.attempt = attempt
            records.append(log(stamped, step, .action, .failed, now, failure))
        case (.deadline(let step), .deadlinePassed(.proceed(let outcome))):
            next.data = next.data.merging(patch: outcome.dataPatch)
            messages = outcome.messages
            records.append(log(next, step, .wait, .succeeded, now, message: note))
        case (.deadline(let step), .deadlinePassed(.fail(let failure))):
            records.append(log(next, step, .wait, .failed, now, failure))
        default:
            break  // compensations: an operator cannot move a saga while one runs
        }
        return SagaTransition(instance: next, log: records, messages: messages)
    }
}
