package import Foundation
package import GRDB
import ICalendar
package import Mail
import SagaCore

/// The candidate's mail, written in the transaction that changes the interview and sent
/// afterwards by `MailRelay` (a transactional outbox, like Kafka's). Rows are keyed by
/// Message-ID, so a step repeated after a crash queues its message once.
///
/// A row goes `pending` → `sending` → `sent`, or `undeliverable` after a permanent refusal
/// (or too many temporary ones). A newer version of an interview's invitation supersedes the
/// older ones not yet sent: a REQUEST with a higher SEQUENCE replaces them in every calendar,
/// and a CANCEL of an interview the candidate never heard of is not sent at all.
package enum MailOutbox {
    package enum Status: String, Sendable, Hashable {
        case pending, sending, sent, superseded, undeliverable
    }

    /// One queued message.
    package struct Entry: Sendable, Hashable {
        package var messageID: String
        package var interviewID: String
        package var sequence: Int
        package var method: String
        package var status: Status
        package var attempts: Int
        package var nextAttemptAt: Date
        package var lastError: String?
        package var mail: OutgoingMail
    }

    /// Queues `mail` for the candidate of `interviewID`; nothing if it is queued already. A
    /// message that cannot be written (an address SMTP cannot carry) is recorded as
    /// undeliverable and announced, and the interview's change stands.
    package static func queue(_ rendered: RenderedCandidateMail, at now: Date, in db: Database) throws {
        let mail = rendered.mail
        let method = mail.method == .cancel ? "cancel" : "request"
        let message: OutgoingMail
        switch rendered.rendering {
        case .success(let outgoing): message = outgoing
        case .failure(let error):
            let reason = "the candidate's e-mail cannot be written: \(error)"
            try insert(
                OutgoingMail(messageID: mail.messageID, sender: mail.organizer.address, recipients: [], content: Data()), of: mail,
                method: method, status: .undeliverable, error: reason, at: now, in: db)
            try MailRelay.announceUndeliverable(
                messageID: mail.messageID, interviewID: mail.interviewID, method: method, reason: reason, replyCode: nil, at: now, in: db)
            return
        }
        // Versions not yet handed over are replaced by this one.
        try db.cachedStatement(
            sql: """
                UPDATE mail_outbox SET status = 'superseded'
                WHERE interview_id = ? AND sequence < ? AND status = 'pending'
                """
        ).execute(arguments: [mail.interviewID, mail.sequence])
        // A CANCEL is news only to a candidate who may have received an invitation: one sent,
        // being sent, or tried before (a connection lost after DATA may have delivered it).
        let told =
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE interview_id = ? AND sequence < ?
                            AND (status IN ('sending', 'sent', 'undeliverable') OR attempts > 0))
                        """),
                arguments: [mail.interviewID, mail.sequence]) ?? false
        try insert(message, of: mail, method: method, status: mail.method == .cancel && !told ? .superseded : .pending, error: nil, at: now, in: db)
    }

    private static func insert(
        _ message: OutgoingMail, of mail: CandidateMail, method: String, status: Status, error: String?, at now: Date, in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO mail_outbox
                    (message_id, interview_id, sequence, method, sender, recipient, content, status, next_attempt_at, created_at, last_error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            message.messageID, mail.interviewID, mail.sequence, method, message.sender, message.recipients.joined(separator: ","),
            message.content, status.rawValue, now.mailMilliseconds, now.mailMilliseconds, error,
        ])
    }

    /// Messages whose time has come, oldest first. `sending` rows are included: their sender
    /// stopped before it knew the outcome (the process ended), so they are sent again.
    package static func due(at now: Date, limit: Int, in db: Database) throws -> [Entry] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM mail_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, created_at LIMIT ?
                    """), arguments: [now.mailMilliseconds, limit]
        ).map(entry)
    }

    /// When the next message not yet due is, if any.
    package static func nextAttempt(in db: Database) throws -> Date? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE status IN ('pending', 'sending')")).map(
            Date.init(mailMilliseconds:))
    }

    /// Claims a message for sending; false if it was superseded or sent meanwhile, or must
    /// wait. A version with a newer one queued is superseded instead (a temporary refusal put it
    /// back after the newer one came); a version waits while an older one of the same
    /// interview is being sent, so that the candidate gets them in order.
    package static func claim(_ messageID: String, in db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                UPDATE mail_outbox SET status = 'superseded'
                WHERE message_id = ? AND status = 'pending' AND EXISTS (
                    SELECT 1 FROM mail_outbox newer WHERE newer.interview_id = mail_outbox.interview_id
                        AND newer.sequence > mail_outbox.sequence AND newer.status != 'superseded')
                """
        ).execute(arguments: [messageID])
        try db.cachedStatement(
            sql: """
                UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1
                WHERE message_id = ? AND status IN ('pending', 'sending') AND NOT EXISTS (
                    SELECT 1 FROM mail_outbox older WHERE older.interview_id = mail_outbox.interview_id
                        AND older.sequence < mail_outbox.sequence AND older.status = 'sending')
                """
        ).execute(arguments: [messageID])
        return db.changesCount > 0
    }

    package static func markSent(_ messageID: String, at now: Date, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE mail_outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE message_id = ?").execute(
            arguments: [now.mailMilliseconds, messageID])
    }

    /// Puts a temporarily refused message back for `time`, or supersedes it when a newer
    /// version was queued while it was being sent.
    package static func retry(_ messageID: String, at time: Date, error: String, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE mail_outbox SET next_attempt_at = ?, last_error = ?,
                    status = CASE WHEN EXISTS (
                        SELECT 1 FROM mail_outbox newer WHERE newer.interview_id = mail_outbox.interview_id
                            AND newer.sequence > mail_outbox.sequence AND newer.status != 'superseded')
                    THEN 'superseded' ELSE 'pending' END
                WHERE message_id = ? AND status = 'sending'
                """
        ).execute(arguments: [time.mailMilliseconds, error, messageID])
    }

    package static func markUndeliverable(_ messageID: String, error: String, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE mail_outbox SET status = 'undeliverable', last_error = ? WHERE message_id = ?").execute(arguments: [
            error, messageID,
        ])
    }

    /// Every message of an interview, oldest version first.
    package static func entries(ofInterview interviewID: String, in db: Database) throws -> [Entry] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM mail_outbox WHERE interview_id = ? ORDER BY sequence, created_at"), arguments: [interviewID]
        )
        .map(entry)
    }

    /// Messages not yet handed over or given up on.
    package static func backlog(in db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM mail_outbox WHERE status IN ('pending', 'sending')")) ?? 0
    }

    private static func entry(_ row: Row) throws -> Entry {
        Entry(
            messageID: row["message_id"], interviewID: row["interview_id"], sequence: row["sequence"], method: row["method"],
            status: Status(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: Date(mailMilliseconds: row["next_attempt_at"]), lastError: row["last_error"],
            mail: OutgoingMail(
                messageID: row["message_id"], sender: row["sender"],
                recipients: (row["recipient"] as String).split(separator: ",").map(String.init), content: row["content"]))
    }
}

extension Date {
    /// As the mail outbox stores times (both backends): milliseconds since 1970.
    var mailMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(mailMilliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(mailMilliseconds) / 1000)
    }
}
