package import SagaCore

extension SagaEngine {
    /// Starts an instance of the newest version of `type` through `store`, which stores the
    /// start transition in a transaction of the caller's backend together with the
    /// application's checks and writes, and returns the instance that already had this id
    /// (nil when the transition was stored). Returns the stored instance and whether this
    /// call created it.
    @discardableResult
    package func start(
        type: String, id: String, partitionKey: String, data: SagaData, storing store: (SagaTransition) async throws -> SagaInstance?
    ) async throws -> (instance: SagaInstance, created: Bool) {
        let transition = try startTransition(type: type, id: id, partitionKey: partitionKey, data: data)
        if let existing = try await store(transition) { return (existing, false) }
        started(type)
        return (transition.instance, true)
    }

    /// Applies an operator's event (an abort, a retry) to the instance `id` under its lock
    /// and stores the transition through `commit`, in a transaction of the caller's backend
    /// with the application's own writes; wakes the workers for what follows.
    @discardableResult
    package func operate(
        _ id: String, _ event: @Sendable () -> SagaEvent, committing commit: (SagaTransition) async throws -> SagaInstance
    ) async throws -> SagaInstance {
        let stored = try await locks.withLock(id) { () async throws -> SagaInstance in
            guard let instance = try await store.instance(id: id) else { throw UnknownSaga(id: id) }
            guard let definition = catalog.definition(instance.type, version: instance.definitionVersion) else {
                throw MissingDefinitions(keys: [DefinitionKey(name: instance.type, version: instance.definitionVersion)])
            }
            let transition = try SagaMachine(definition: definition).apply(
                event(), to: instance, now: clock.now(), unitRandom: Double.random(in: 0..<1))
            return try await commit(transition)
        }
        wake.signal()
        return stored
    }
}
