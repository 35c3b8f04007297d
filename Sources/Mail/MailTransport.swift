/// Where outgoing mail goes: an SMTP relay, or a directory of `.eml` files.
package protocol MailTransport: Sendable {
    /// Hands `mail` over. Returns once the receiving side has taken responsibility for it.
    func deliver(_ mail: OutgoingMail) async throws(MailDeliveryError)

    /// Where the mail goes, for the log (never with credentials).
    var destination: String { get }

    /// Where one message went, for the log: the relay, or the message's file.
    func destination(of messageID: String) -> String

    /// Removes the copies this transport kept of messages whose Message-ID starts with
    /// `prefix` (an erasure's); returns how many. A relay keeps none: what it took has left.
    func removeCopies(ofMessagesPrefixed prefix: String) async throws -> Int
}

extension MailTransport {
    package func destination(of messageID: String) -> String { destination }

    package func removeCopies(ofMessagesPrefixed prefix: String) async throws -> Int { 0 }
}

/// Why a message was not handed over, and whether trying again can help.
package struct MailDeliveryError: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Kind: String, Hashable, Sendable {
        /// A 4xx reply, a lost connection, a timeout, a relay that cannot be reached or
        /// refuses our credentials: worth another try later.
        case transient
        /// A 5xx reply to the message or its recipient: the same message will never be taken.
        case permanent
    }

    package var kind: Kind
    /// The SMTP reply code, when the server gave one.
    package var replyCode: Int?
    package var message: String

    package init(_ kind: Kind, replyCode: Int? = nil, _ message: String) {
        self.kind = kind
        self.replyCode = replyCode
        self.message = message
    }

    package var description: String {
        replyCode.map { "\(kind.rawValue) (\($0)): \(message)" } ?? "\(kind.rawValue): \(message)"
    }
}
