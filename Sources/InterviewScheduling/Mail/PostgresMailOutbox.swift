package import Foundation
import ICalendar
package import Logging
import Mail
package import PostgresNIO
import PostgresStore

/// The candidate's mail outbox in a PostgreSQL database that several instances share, with
/// `MailOutbox`'s statements. On SQLite one writer puts the calls in order; here every call that
/// weighs one version of an interview's invitation against the others (queue, claim, retry)
/// first takes a transaction-scoped lock on the interview, so that such calls on any instance
/// run one after another and each sees what the previous committed. (Row locks alone are not
/// enough: a version put back while a newer one is being queued does not see it, and two
/// claims of two versions each read the other's row without a lock.)
///
/// A `sending` row counts as left behind by a sender that stopped, as on SQLite: one relay at a
/// time sends (`PostgresMailRelayStore`, the instance that leads the relays).
package struct PostgresMailOutbox: MailOutboxStore {
    package typealias Transaction = PostgresConnection

    let logger: Logger

    package init(logger: Logger = Logger(label: "mail-outbox")) {
        self.logger = logger
    }

    /// The first key of the per-interview advisory locks ("mlo"); the second is the hash of
    /// the interview's id.
    static let interviewLockSpace: Int32 = 0x6D_6C6F

    static let entryColumns = "message_id, interview_id, sequence, method, status, attempts, next_attempt_at, last_error, sender, recipient, content"

    private func lock(interview interviewID: String, on connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.interviewLockSpace), hashtext(\(interviewID)))", logger: logger).collect()
    }

    /// The interview of a queued message, locked; nil when there is no such message.
    private func lockInterview(ofMessage messageID: String, on connection: PostgresConnection) async throws -> String? {
        var interviewID: String?
        let rows = try await connection.query("SELECT interview_id FROM mail_outbox WHERE message_id = \(messageID)", logger: logger)
        for try await id in rows.decode(String.self) { interviewID = id }
        if let interviewID { try await lock(interview: interviewID, on: connection) }
        return interviewID
    }

    package func queue(_ rendered: RenderedCandidateMail, at now: Date, in connection: PostgresConnection) async throws {
        let mail = rendered.mail
        let method = mail.method == .cancel ? "cancel" : "request"
        try await lock(interview: mail.interviewID, on: connection)
        let message: OutgoingMail
        switch rendered.rendering {
        case .success(let outgoing): message = outgoing
        case .failure(let error):
            let reason = "the candidate's e-mail cannot be written: \(error)"
            try await insert(
                OutgoingMail(messageID: mail.messageID, sender: mail.organizer.address, recipients: [], content: Data()), of: mail,
                method: method, status: .undeliverable, error: reason, at: now, on: connection)
            let interview = try await PostgresInterviewTables(logger: logger).interview(id: mail.interviewID, in: connection)
            let announcement = try MailRelay.undeliverableMessage(
                messageID: mail.messageID, interviewID: mail.interviewID, method: method, reason: reason, replyCode: nil, interview: interview,
                at: now)
            try await PostgresSagaStore.enqueue([announcement], sagaID: interview?.requestID, at: now, on: connection, logger: logger)
            return
        }
        let sequence = Int32(clamping: mail.sequence)
        try await connection.query(
            """
            UPDATE mail_outbox SET status = 'superseded'
            WHERE interview_id = \(mail.interviewID) AND sequence < \(sequence) AND status = 'pending'
            """, logger: logger)
        var told = false
        let rows = try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE interview_id = \(mail.interviewID) AND sequence < \(sequence)
                AND (status IN ('sending', 'sent', 'undeliverable') OR attempts > 0))
            """, logger: logger)
        for try await exists in rows.decode(Bool.self) { told = exists }
        let status: MailOutbox.Status = mail.method == .cancel && !told ? .superseded : .pending
        try await insert(message, of: mail, method: method, status: status, error: nil, at: now, on: connection)
        // Delivered at the commit: wakes the relay of whichever instance sends.
        if status == .pending { try await connection.query("NOTIFY \(unescaped: Self.notificationChannel)", logger: logger) }
    }

    /// The channel a transaction that queues mail notifies on.
    package static let notificationChannel = "mail_outbox"

    private func insert(
        _ message: OutgoingMail, of mail: CandidateMail, method: String, status: MailOutbox.Status, error: String?, at now: Date,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO mail_outbox
                (message_id, interview_id, sequence, method, sender, recipient, content, status, next_attempt_at, created_at, last_error)
            VALUES (\(message.messageID), \(mail.interviewID), \(Int32(clamping: mail.sequence)), \(method), \(message.sender),
                \(message.recipients.joined(separator: ",")), \(message.content), \(status.rawValue), \(now.mailMilliseconds),
                \(now.mailMilliseconds), \(error))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    package func due(at now: Date, limit: Int, in connection: PostgresConnection) async throws -> [MailOutbox.Entry] {
        try await entries(
            """
            SELECT \(unescaped: Self.entryColumns) FROM mail_outbox
            WHERE status IN ('pending', 'sending') AND next_attempt_at <= \(now.mailMilliseconds)
            ORDER BY next_attempt_at, created_at LIMIT \(Int64(limit))
            """, on: connection)
    }

    package func nextAttempt(in connection: PostgresConnection) async throws -> Date? {
        let rows = try await connection.query(
            "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE status IN ('pending', 'sending')", logger: logger)
        for try await next in rows.decode(Int64?.self) { return next.map(Date.init(mailMilliseconds:)) }
        return nil
    }

    package func claim(_ messageID: String, in connection: PostgresConnection) async throws -> Bool {
        guard try await lockInterview(ofMessage: messageID, on: connection) != nil else { return false }
        try await connection.query(
            """
            UPDATE mail_outbox SET status = 'superseded'
            WHERE message_id = \(messageID) AND status = 'pending' AND EXISTS (
                SELECT 1 FROM mail_outbox newer WHERE newer.interview_id = mail_outbox.interview_id
                    AND newer.sequence > mail_outbox.sequence AND newer.status <> 'superseded')
            """, logger: logger)
        let claimed = try await connection.query(
            """
            UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1
            WHERE message_id = \(messageID) AND status IN ('pending', 'sending') AND NOT EXISTS (
                SELECT 1 FROM mail_outbox older WHERE older.interview_id = mail_outbox.interview_id
                    AND older.sequence < mail_outbox.sequence AND older.status = 'sending')
            RETURNING message_id
            """, logger: logger)
        var changed = false
        for try await _ in claimed.decode(String.self) { changed = true }
        return changed
    }

    package func markSent(_ messageID: String, at now: Date, in connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE mail_outbox SET status = 'sent', sent_at = \(now.mailMilliseconds), last_error = NULL WHERE message_id = \(messageID)",
            logger: logger)
    }

    package func retry(_ messageID: String, at time: Date, error: String, in connection: PostgresConnection) async throws {
        _ = try await lockInterview(ofMessage: messageID, on: connection)
        try await connection.query(
            """
            UPDATE mail_outbox SET next_attempt_at = \(time.mailMilliseconds), last_error = \(error),
                status = CASE WHEN EXISTS (
                    SELECT 1 FROM mail_outbox newer WHERE newer.interview_id = mail_outbox.interview_id
                        AND newer.sequence > mail_outbox.sequence AND newer.status <> 'superseded')
                THEN 'superseded' ELSE 'pending' END
            WHERE message_id = \(messageID) AND status = 'sending'
            """, logger: logger)
    }

    package func markUndeliverable(_ messageID: String, error: String, in connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE mail_outbox SET status = 'undeliverable', last_error = \(error) WHERE message_id = \(messageID)", logger: logger)
    }

    package func entries(ofInterview interviewID: String, in connection: PostgresConnection) async throws -> [MailOutbox.Entry] {
        try await entries(
            "SELECT \(unescaped: Self.entryColumns) FROM mail_outbox WHERE interview_id = \(interviewID) ORDER BY sequence, created_at",
            on: connection)
    }

    package func backlog(in connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query("SELECT COUNT(*) FROM mail_outbox WHERE status IN ('pending', 'sending')", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    private func entries(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [MailOutbox.Entry] {
        var entries: [MailOutbox.Entry] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (messageID, interviewID, sequence, method, status, attempts, nextAttempt, lastError, sender, recipient, content) in rows.decode(
            (String, String, Int, String, String, Int, Int64, String?, String, String, Data).self)
        {
            entries.append(
                MailOutbox.Entry(
                    messageID: messageID, interviewID: interviewID, sequence: sequence, method: method,
                    status: MailOutbox.Status(rawValue: status) ?? .pending, attempts: attempts, nextAttemptAt: Date(mailMilliseconds: nextAttempt),
                    lastError: lastError,
                    mail: OutgoingMail(
                        messageID: messageID, sender: sender, recipients: recipient.split(separator: ",").map(String.init), content: content)))
        }
        return entries
    }
}
