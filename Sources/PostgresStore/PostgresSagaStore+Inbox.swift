package import Foundation
import Logging
import PostgresNIO
package import SagaCore
import _ConnectionPoolModule

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

    /// Records a message that will not be handled, and the messages announcing that (a DLQ
    /// record, an error event), in one transaction. A message id seen before, by any instance,
    /// writes nothing.
    ///
    /// Gives up after `defaultAnswerLimit` (`DeadlineExceeded`, which counts as unavailable): a
    /// transaction on a connection the server dropped can go unanswered (see `withDeadline`).
    package func deadLetter(
        messageID: String, eventID: String?, topic: String, at now: Date, reason: String, messages: [OutboxMessage]
    ) async throws -> InboxOutcome {
        let (database, logger) = (database, database.logger)
        return try await withDeadline(defaultAnswerLimit) {
            try await database.transaction { connection in
                let inserted = try await connection.query(
                    """
                    INSERT INTO inbox (message_id, topic, received_at, saga_id, outcome)
                    VALUES (\(messageID), \(topic), \(now.milliseconds), NULL, \("dead-lettered: \(reason)"))
                    ON CONFLICT (message_id) DO NOTHING RETURNING message_id
                    """, logger: logger
                ).collect()
                guard !inserted.isEmpty else { return .duplicate }
                if let eventID {
                    try await connection.query(
                        """
                        INSERT INTO inbox (message_id, topic, received_at, saga_id, outcome)
                        VALUES (\(eventID), \(topic), \(now.milliseconds), NULL, \("dead-lettered: \(reason)"))
                        ON CONFLICT (message_id) DO NOTHING
                        """, logger: logger)
                }
                try await Self.insertOutbox(messages, sagaID: nil, at: now, on: connection, logger: logger)
                return .ignored(reason: "dead-lettered: \(reason)")
            }
        }
    }
}

extension PostgresSagaStore: DeadLetterInbox {
    /// Whether `error` says the server could not be reached or could not do the work for now:
    /// the connection dropped or was refused, the pool gave up connecting for a while, the
    /// server shuts down, starts up, is read-only (a failover), out of connections or resources,
    /// or chose this transaction to fail in a serialization conflict or a deadlock, or no answer
    /// came in time. Not: a statement the server refused as wrong, or one that ran out of its
    /// statement timeout.
    package func isUnavailable(_ error: any Error) -> Bool {
        if error is DeadlineExceeded || error is ConnectionPoolError { return true }
        if let error = error as? PostgresTransactionError {
            return [error.beginError, error.closureError, error.commitError, error.rollbackError].contains { $0.map(isUnavailable) ?? false }
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed, .queryCancelled:
            return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            // Not 57014 (a statement timeout: the same statement would time out again).
            return ["08", "53"].contains(String(state.prefix(2))) || ["57P01", "57P02", "57P03", "40001", "40P01", "25006"].contains(state)
        default:
            return false
        }
    }
}
