package import Foundation

/// One message ready for the wire: its envelope (who it is from and to, as SMTP's `MAIL FROM`
/// and `RCPT TO` say) and its bytes, headers included, with CRLF line ends.
package struct OutgoingMail: Hashable, Sendable {
    /// The `Message-ID` without angle brackets: the same for every attempt to send it, so a
    /// message sent twice is one message to the receiving client.
    package var messageID: String
    package var sender: String
    package var recipients: [String]
    package var content: Data

    package init(messageID: String, sender: String, recipients: [String], content: Data) {
        self.messageID = messageID
        self.sender = sender
        self.recipients = recipients
        self.content = content
    }
}
