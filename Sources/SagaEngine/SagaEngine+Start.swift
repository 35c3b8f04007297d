import Foundation
package import GRDB
package import SagaCore
// `package`: `where Store == SagaStore` below needs it (Swift 6.3 wrongly warns that it is unused).
package import SagaStore

extension SagaEngine where Store == SagaStore {
    /// Starts an instance in one transaction with the application's own writes: `checking`
    /// runs first and may throw to refuse the start (nothing is written); `recording` runs
    /// after the insert, only when the instance is new. Returns the stored instance and
    /// whether this call created it.
    @discardableResult
    package func start(
        type: String, id: String, partitionKey: String, data: SagaData,
        checking: @escaping @Sendable (Database) throws -> Void, recording: @escaping @Sendable (Database) throws -> Void
    ) async throws -> (instance: SagaInstance, created: Bool) {
        try await start(type: type, id: id, partitionKey: partitionKey, data: data) { transition in
            try await store.write { db -> SagaInstance? in
                try checking(db)
                guard try SagaStore.insert(transition, in: db) else { return try SagaStore.instance(id: id, in: db) }
                try recording(db)
                return nil
            }
        }
    }
}
