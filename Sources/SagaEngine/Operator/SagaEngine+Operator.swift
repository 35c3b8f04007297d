import Foundation
package import GRDB
import Logging
package import SagaCore
// `package`: `where Store == SagaStore` below needs it (Swift 6.3 wrongly warns that it is unused).
package import SagaStore

extension SagaEngine {
    /// Stops a running or waiting saga and undoes what it did; recorded with `actor`.
    @discardableResult
    package func abort(id: String, by actor: String, reason: String) async throws -> SagaInstance {
        try await operate(id, { .abort(by: actor, reason: reason) }, committing: { try await store.commit($0) })
    }

    /// Re-runs a failed compensation, or cuts a retry backoff short; recorded with `actor`.
    @discardableResult
    package func retry(id: String, by actor: String) async throws -> SagaInstance {
        try await operate(id, { .retry(by: actor) }, committing: { try await store.commit($0) })
    }
}

extension SagaEngine where Store == SagaStore {
    /// Aborts as `abort(id:by:reason:)`, with the application's own writes (an audit row) in the same transaction.
    @discardableResult
    package func abort(
        id: String, by actor: String, reason: String, recording: @escaping @Sendable (Database) throws -> Void
    ) async throws -> SagaInstance {
        try await operate(id, { .abort(by: actor, reason: reason) }) { transition in
            try await store.write { db in
                let stored = try self.store.commit(transition, in: db)
                try recording(db)
                return stored
            }
        }
    }
}

extension SagaEngine where Store: SagaInspection {
    /// Instances that have not moved for longer than their definitions allow.
    package func stuckInstances() async throws -> [SagaInstance] {
        let now = clock.now()
        var stuck: [SagaInstance] = []
        for status in [SagaStatus.running, .waiting, .compensating] {
            for instance in try await store.instances(status: status, type: nil, limit: 100_000) {
                guard let definition = catalog.definition(instance.type, version: instance.definitionVersion) else { continue }
                if SagaMachine(definition: definition).isStuck(instance, now: now) { stuck.append(instance) }
            }
        }
        return stuck
    }

    /// Counts stuck instances every `interval`, publishing the count as a gauge and
    /// logging each stuck id, until cancelled.
    package func watchForStuckSagas(every interval: Duration = .seconds(60)) async {
        while !Task.isCancelled {
            do {
                let stuck = try await stuckInstances()
                metrics.stuck(stuck.count)
                for instance in stuck {
                    logger.warning(
                        "saga has not moved for longer than its definition allows",
                        metadata: [
                            "sagaId": "\(instance.id)", "type": "\(instance.type)", "status": "\(instance.status.rawValue)",
                            "since": "\(instance.updatedAt)",
                        ])
                }
            } catch {
                logger.error("stuck-saga check failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
