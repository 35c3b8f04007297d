package import Foundation

/// The port behind the candidate's mail outbox (`MailOutbox` tells what its rows mean). The
/// writes of a step (`queue`) run inside the caller's transaction; the relay's calls each in
/// a transaction of their own.
///
/// Two implementations: `SQLiteMailOutbox`, synchronous for GRDB's transaction closures
/// (which satisfies these asynchronous requirements), and `PostgresMailOutbox`, on the
/// connection of the caller's transaction.
package protocol MailOutboxStore: Sendable {
    associatedtype Transaction

    /// Queues the candidate's mail, rendered beforehand; nothing if it is queued already.
    func queue(_ mail: RenderedCandidateMail, at now: Date, in transaction: Transaction) async throws

    /// Messages whose time has come, oldest first, `sending` ones included.
    func due(at now: Date, limit: Int, in transaction: Transaction) async throws -> [MailOutbox.Entry]

    /// When the next message not yet due is, if any.
    func nextAttempt(in transaction: Transaction) async throws -> Date?

    /// Claims a message for sending; false if it was superseded or sent meanwhile, or must wait.
    func claim(_ messageID: String, in transaction: Transaction) async throws -> Bool

    func markSent(_ messageID: String, at now: Date, in transaction: Transaction) async throws

    /// Puts a temporarily refused message back for `time`, or supersedes it.
    func retry(_ messageID: String, at time: Date, error: String, in transaction: Transaction) async throws

    func markUndeliverable(_ messageID: String, error: String, in transaction: Transaction) async throws

    /// Every message of an interview, oldest version first.
    func entries(ofInterview interviewID: String, in transaction: Transaction) async throws -> [MailOutbox.Entry]

    /// Messages not yet handed over or given up on.
    func backlog(in transaction: Transaction) async throws -> Int
}

extension MailOutboxStore {
    /// Renders `mail`, then queues it (in the transaction: for tests and one-off writes).
    package func queue(_ mail: CandidateMail, at now: Date, in transaction: Transaction) async throws {
        try await queue(RenderedCandidateMail(mail), at: now, in: transaction)
    }
}
