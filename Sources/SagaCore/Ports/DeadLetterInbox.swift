package import Foundation

/// Where an inbound pipeline records a message it will not handle, with the messages that
/// announce it (a DLQ record, an error event), and how it tells a database that is away for a
/// moment from a failure. The SQLite store is one; the PostgreSQL store, whose inbox several
/// instances share, is another: a message dead-lettered by two instances is recorded once.
package protocol DeadLetterInbox: Sendable {
    /// Records `messageID` as dead-lettered and stores `messages` with it, in one transaction;
    /// a message id seen before writes nothing and reports `.duplicate`. `eventID`, the event's
    /// own id when the message had one, is recorded as dead-lettered too (unless seen before),
    /// so that a redelivered copy is recognised by the inbox like any duplicate, not applied.
    func deadLetter(
        messageID: String, eventID: String?, topic: String, at now: Date, reason: String, messages: [OutboxMessage]
    ) async throws
        -> InboxOutcome

    /// Whether `error` says the database could not do its work for now (unreachable, locked,
    /// restarting) rather than that the write was wrong: worth retrying for as long as it takes.
    func isUnavailable(_ error: any Error) -> Bool
}
