package import Foundation

/// The outbox as the relay sees it: the next messages to publish, in the order they must go
/// out, and where their fate is recorded. The SQLite store is one; on PostgreSQL, the outbox
/// of the instance whose relay currently leads.
package protocol OutboxStore: Sendable {
    /// Up to `limit` unpublished messages, in publishing order. Empty when there are none, or
    /// when this relay must not publish now (another instance's relay leads).
    func pendingMessages(limit: Int) async throws -> [OutboxMessage]

    /// Marks `ids` published: called only once the destination has confirmed them.
    func markPublished(ids: [String], at now: Date) async throws

    /// Records a failed delivery; the message stays pending.
    func markPublishFailed(id: String, error: String) async throws

    /// Returns when a message may have been written, or after `timeout`.
    func waitForMessages(timeout: Duration) async
}
