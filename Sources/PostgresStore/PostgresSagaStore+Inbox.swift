package import Foundation
import Logging
import PostgresNIO
package import SagaCore

/// The inbox: each inbound message id once, whichever instance received it. Its primary key
/// is the de-duplication: of two instances storing the same message at once, one inserts and
/// the other's insert does nothing, so only one transition is stored.
extension PostgresSagaStore {
    /// Records `messageID` and, if this is its first delivery, stores `transition` with it in
    /// one transaction.
    package func receive(
        messageID: String, topic: String, at now: Date, transition: SagaTransition?, ignoredBecause reason: String? = nil
    ) async throws -> InboxOutcome {
        let outcome: InboxOutcome = transition.map { .applied(sagaID: $0.instance.id) } ?? .ignored(reason: reason ?? "no saga is waiting for it")
        let logger = database.logger
        return try await database.transaction { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO inbox (message_id, topic, received_at, saga_id, outcome)
                VALUES (\(messageID), \(topic), \(now.milliseconds), \(transition?.instance.id), \(outcome.stored))
                ON CONFLICT (message_id) DO NOTHING RETURNING message_id
                """, logger: logger
            ).collect()
            guard !inserted.isEmpty else { return .duplicate }
            if let transition { _ = try await Self.commit(transition, on: connection, logger: logger, whenSettled: whenSettled) }
            return outcome
        }
    }

    /// Whether a message id has been processed already.
    package func hasProcessed(messageID: String) async throws -> Bool {
        try await !database.query("SELECT 1 FROM inbox WHERE message_id = \(messageID)").collect().isEmpty
    }
}
