package import Foundation
package import GRDB
package import SagaCore

extension SagaStore {
    /// Whether a message id has been processed already.
    package func hasProcessed(messageID: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM inbox WHERE message_id = ?)", arguments: [messageID]) ?? false
        }
    }

    /// Records an inbound message and, in the same transaction, the transition it caused.
    /// A message id seen before changes nothing and reports `.duplicate`.
    package func receive(
        messageID: String, topic: String, at now: Date, transition: SagaTransition?, ignoredBecause reason: String? = nil
    ) async throws -> InboxOutcome {
        try await write { db in
            try self.receive(messageID: messageID, topic: topic, at: now, transition: transition, ignoredBecause: reason, in: db)
        }
    }

    /// Records an inbound message and its transition inside a transaction the caller holds.
    package func receive(
        messageID: String, topic: String, at now: Date, transition: SagaTransition?, ignoredBecause reason: String? = nil, in db: Database
    ) throws -> InboxOutcome {
        let outcome: InboxOutcome = transition.map { .applied(sagaID: $0.instance.id) } ?? .ignored(reason: reason ?? "no saga is waiting for it")
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO inbox (message_id, topic, received_at, saga_id, outcome) VALUES (?, ?, ?, ?, ?)")
            .execute(binding: [
                .text(messageID), .text(topic), .integer(now.milliseconds), SQLArgument(transition?.instance.id), .text(outcome.stored),
            ])
        guard db.changesCount == 1 else { return .duplicate }
        if let transition { _ = try commit(transition, in: db) }
        return outcome
    }

    /// Which of `messageIDs` have been processed already, read inside a transaction the
    /// caller holds: one query per `idsPerQuery` ids.
    package static func processed(_ messageIDs: [String], in db: Database) throws -> Set<String> {
        var seen = Set<String>()
        for chunk in inLists(messageIDs) {
            let statement = try db.makeStatement(sql: "SELECT message_id FROM inbox WHERE message_id IN (\(placeholders(chunk.count)))")
            seen.formUnion(try String.fetchAll(statement, arguments: StatementArguments(chunk)))
        }
        return seen
    }

    /// Records a message that will not be handled, and the messages announcing that (a DLQ
    /// record, an error event), in one transaction. A message id seen before writes nothing.
    package func deadLetter(
        messageID: String, eventID: String?, topic: String, at now: Date, reason: String, messages: [OutboxMessage]
    ) async throws -> InboxOutcome {
        try await write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO inbox (message_id, topic, received_at, saga_id, outcome) VALUES (?, ?, ?, NULL, ?)")
            try insert.execute(arguments: [messageID, topic, now.milliseconds, "dead-lettered: \(reason)"])
            guard db.changesCount == 1 else { return .duplicate }
            if let eventID { try insert.execute(arguments: [eventID, topic, now.milliseconds, "dead-lettered: \(reason)"]) }
            for message in messages { try Self.insertOutbox(message, sagaID: nil, at: now, in: db) }
            return .ignored(reason: "dead-lettered: \(reason)")
        }
    }
}
