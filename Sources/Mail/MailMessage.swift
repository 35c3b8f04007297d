package import Foundation

/// A message as people see it: who, what, when, and the body's parts. `rendered()` makes the
/// bytes SMTP carries (RFC 5322 headers, MIME body, CRLF line ends).
package struct MailMessage: Sendable {
    /// Without angle brackets, e.g. `iv-123.0.request@scheduler.example`.
    package var messageID: String
    package var from: MailAddress
    package var to: [MailAddress]
    package var subject: String
    package var date: Date
    package var body: MIMEPart
    /// Further headers, e.g. `Auto-Submitted`; names and values are checked for line breaks.
    package var extraHeaders: [(name: String, value: String)]

    package init(
        messageID: String, from: MailAddress, to: [MailAddress], subject: String, date: Date, body: MIMEPart,
        extraHeaders: [(name: String, value: String)] = []
    ) throws(MailFormatError) {
        guard !messageID.isEmpty, messageID.contains("@"),
            messageID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"<>\"\\".unicodeScalars.contains($0) })
        else { throw MailFormatError("not a usable Message-ID: \(messageID.debugDescription)") }
        guard !to.isEmpty else { throw MailFormatError("a message needs at least one recipient") }
        for header in extraHeaders
        where header.name.isEmpty || header.name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline })
            || header.value.contains(where: \.isNewline)
        {
            throw MailFormatError("not a usable header: \(header.name.debugDescription)")
        }
        self.messageID = messageID
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.body = body
        self.extraHeaders = extraHeaders
    }

    /// The bytes on the wire. The same message renders to the same bytes.
    package func rendered() -> Data {
        var headers = [
            "From: \(from.header)",
            "To: \(to.map(\.header).joined(separator: ",\r\n "))",
            "Subject: \(EncodedWord.text(subject))",
            "Date: \(MailDate.format(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        headers += extraHeaders.map { "\($0.name): \($0.value)" }
        let seed = String(UInt32(truncatingIfNeeded: messageID.utf8.reduce(UInt64(5381)) { ($0 &* 33) ^ UInt64($1) }), radix: 36)
        return Data((headers.joined(separator: "\r\n") + "\r\n" + body.rendered(seed: seed) + "\r\n").utf8)
    }

    /// The message with its envelope: from the sender to every `To:` address.
    package func outgoing() -> OutgoingMail {
        OutgoingMail(messageID: messageID, sender: from.address, recipients: to.map(\.address), content: rendered())
    }

}
