import GRDB

/// How the latest version of the candidate's invitation is faring: what a recruiter reads on
/// the request. Versions that a newer one replaced before they were sent do not count.
package struct InvitationDelivery: Hashable, Sendable {
    package enum State: String, Hashable, Sendable {
        /// Queued, or refused for now and to be tried again.
        case pending
        /// Handed to the mail relay (or written to the mail directory).
        case sent
        /// Refused for good, or too many times: the booking stands; the candidate must be told another way.
        case undelivered
    }

    package var state: State
    package var messageID: String
    /// `request` or `cancel`.
    package var method: String
    package var sequence: Int
    package var attempts: Int
    /// The last refusal, when there was one.
    package var error: String?

    /// The latest version of the invitation of `interviewID`, if any was queued.
    static func latest(ofInterview interviewID: String, in db: Database) throws -> InvitationDelivery? {
        latest(of: try MailOutbox.entries(ofInterview: interviewID, in: db))
    }

    /// The latest version among an interview's messages (oldest version first), if any was queued.
    static func latest(of entries: [MailOutbox.Entry]) -> InvitationDelivery? {
        guard let entry = entries.last(where: { $0.status != .superseded }) else { return nil }
        let state: State
        switch entry.status {
        case .sent: state = .sent
        case .undeliverable: state = .undelivered
        case .pending, .sending, .superseded: state = .pending
        }
        return InvitationDelivery(
            state: state, messageID: entry.messageID, method: entry.method, sequence: entry.sequence, attempts: entry.attempts, error: entry.lastError
        )
    }
}
