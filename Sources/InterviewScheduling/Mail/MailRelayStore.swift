package import Foundation

/// What `MailRelay` needs of the database: claims of due messages, their outcomes, and a wait
/// for more. Each call is a transaction of its own.
package protocol MailRelayStore: Sendable {
    /// Claims up to `limit` messages due at `now` for sending (they become `sending`); none
    /// while another instance's relay is the one that sends.
    func claimDue(at now: Date, limit: Int) async throws -> [MailOutbox.Entry]

    /// When the next message not yet due is, if any.
    func nextAttempt() async throws -> Date?

    func markSent(_ messageID: String, at now: Date) async throws

    /// Puts a temporarily refused message back for `time`.
    func retry(_ messageID: String, at time: Date, error: String) async throws

    /// Marks the message undeliverable and announces it on `error.occurred`, in one transaction.
    func giveUp(_ entry: MailOutbox.Entry, reason: String, replyCode: Int?, at now: Date) async throws

    /// Returns when mail was queued, or after `timeout`.
    func waitForMail(timeout: Duration) async
}
