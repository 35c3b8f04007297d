package import Foundation
package import GRDB

/// The candidate's mail outbox in the service's SQLite file: `MailOutbox`'s statements behind
/// the `MailOutboxStore` port. The calls are synchronous, for GRDB's transaction closures.
package struct SQLiteMailOutbox: MailOutboxStore {
    package typealias Transaction = Database

    package init() {}

    package func queue(_ mail: RenderedCandidateMail, at now: Date, in db: Database) throws {
        try MailOutbox.queue(mail, at: now, in: db)
    }

    /// Renders `mail`, then queues it (in the transaction: for tests and one-off writes).
    package func queue(_ mail: CandidateMail, at now: Date, in db: Database) throws {
        try MailOutbox.queue(RenderedCandidateMail(mail), at: now, in: db)
    }

    package func due(at now: Date, limit: Int, in db: Database) throws -> [MailOutbox.Entry] {
        try MailOutbox.due(at: now, limit: limit, in: db)
    }

    package func nextAttempt(in db: Database) throws -> Date? {
        try MailOutbox.nextAttempt(in: db)
    }

    package func claim(_ messageID: String, in db: Database) throws -> Bool {
        try MailOutbox.claim(messageID, in: db)
    }

    package func markSent(_ messageID: String, at now: Date, in db: Database) throws {
        try MailOutbox.markSent(messageID, at: now, in: db)
    }

    package func retry(_ messageID: String, at time: Date, error: String, in db: Database) throws {
        try MailOutbox.retry(messageID, at: time, error: error, in: db)
    }

    package func markUndeliverable(_ messageID: String, error: String, in db: Database) throws {
        try MailOutbox.markUndeliverable(messageID, error: error, in: db)
    }

    package func entries(ofInterview interviewID: String, in db: Database) throws -> [MailOutbox.Entry] {
        try MailOutbox.entries(ofInterview: interviewID, in: db)
    }

    package func backlog(in db: Database) throws -> Int {
        try MailOutbox.backlog(in: db)
    }
}
