import Foundation
import Mail
import SchedulerTesting
import Testing

/// Messages as Python's `email` package (a parser written by others) reads them.
@Suite struct MailMessageTests {
    @Test func anInvitationHasTheShapeIMIPPrescribes() async throws {
        let parsed = try await ParsedMail.reading(try SampleMail.message().rendered())
        #expect(parsed.defects.isEmpty)
        #expect(
            parsed.tree
                == .init(
                    type: "multipart/mixed",
                    parts: [
                        .init(type: "multipart/alternative", parts: [.init(type: "text/plain"), .init(type: "text/html")]),
                        .init(type: "text/calendar", method: "REQUEST"),
                    ]))
        #expect(parsed.headers["From"] == "Interview Scheduling <interviews@scheduler.example>")
        #expect(parsed.headers["To"] == "Zoë Ångström <zoe@example.com>")
        #expect(parsed.headers["Message-ID"] == "<iv-1.0.request@scheduler.example>")
        #expect(parsed.headers["Date"] == "Mon, 30 Nov 2026 00:53:20 +0000")
        #expect(parsed.headers["Auto-Submitted"] == "auto-generated")
        #expect(parsed.calendar?.method == "REQUEST")
        #expect(parsed.calendar?.uid == "iv-1@scheduler.example")
        #expect(parsed.calendar?.start == "2026-12-01T14:00:00+00:00")
        #expect(parsed.calendar?.attendees == ["mailto:zoe@example.com"])
    }

    /// Long lines, '=' signs, trailing spaces, tabs, non-Latin text and emoji survive
    /// quoted-printable; a subject longer than one encoded word is split between characters.
    @Test func textSurvivesTheTransferEncoding() async throws {
        let text = [
            String(repeating: "a=b ", count: 40), "trailing space ", "tab\tinside\t", "Łódź — 東京 — 🎉🎉🎉", "", ".a line that starts with a dot",
            String(repeating: "é", count: 100),
        ].joined(separator: "\n")
        let subject = "Entretien: " + String(repeating: "é🎉", count: 30)
        var message = try SampleMail.message(text: text, subject: subject)
        // One character of 200 scalars (a letter and combining marks) is split across words too.
        let zalgo = "Z" + String(repeating: "\u{0301}", count: 199)
        message.to = [try MailAddress("zoe@example.com", name: zalgo)]
        let raw = String(decoding: message.rendered(), as: UTF8.self)
        #expect(raw.components(separatedBy: "\r\n").filter { $0.utf8.count > 78 } == [])
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let parsed = try await ParsedMail.reading(message.rendered())
        #expect(parsed.defects.isEmpty)
        #expect(parsed.text == text + "\n" || parsed.text == text)
        #expect(parsed.headers["Subject"] == subject)
        // Python's address parser keeps the folding space between encoded words (its
        // `email.header.decode_header` drops it, as RFC 2047 §6.2 says), so spaces are ignored here.
        let to = parsed.headers["To"].map { Array($0.unicodeScalars.filter { $0 != " " }) }
        #expect(to == Array("\(zalgo)<zoe@example.com>".unicodeScalars))
    }

    @Test func headerInjectionIsRefused() throws {
        #expect(throws: MailFormatError.self) { try MailAddress("zoe@example.com\r\nBcc: x@evil.example") }
        #expect(throws: MailFormatError.self) { try MailAddress("zoe@@example.com") }
        #expect(throws: MailFormatError.self) { try MailAddress("<zoe@example.com>") }
        #expect(throws: MailFormatError.self) {
            try MailMessage(
                messageID: "a\r\nb@c", from: MailAddress("a@b.example"), to: [MailAddress("c@d.example")], subject: "", date: Date(),
                body: .text(subtype: "plain", ""))
        }
    }

    /// A name with line breaks or quotes stays inside its header.
    @Test func displayNamesCannotAddHeaders() async throws {
        var message = try SampleMail.message()
        message.to = [try MailAddress("zoe@example.com", name: "Zoë\r\nBcc: x@evil.example")]
        message.subject = "Hi\r\nBcc: y@evil.example"
        let parsed = try await ParsedMail.reading(message.rendered())
        #expect(parsed.headers["To"] == "\"Zoë Bcc: x@evil.example\" <zoe@example.com>")
        #expect(parsed.headers["Subject"] == "Hi  Bcc: y@evil.example", "each line-break character became a space")
        #expect(!String(decoding: message.rendered(), as: UTF8.self).contains("\r\nBcc:"))
        #expect(parsed.defects.isEmpty)
    }

    @Test func aMessageRendersTheSameEveryTime() throws {
        #expect(try SampleMail.message().rendered() == SampleMail.message().rendered())
    }

    /// Sending the same message twice leaves one file, as a client de-duplicates by Message-ID.
    @Test func theMailDirectoryKeepsOneFilePerMessage() async throws {
        let directory = try TemporaryDirectory(prefix: "maildir")
        defer { directory.remove() }
        let transport = MailDirectoryTransport(directory: directory.url.appendingPathComponent("mail"))
        let mail = try SampleMail.message().outgoing()
        try await transport.deliver(mail)
        try await transport.deliver(mail)
        try await transport.deliver(try SampleMail.message(id: "iv-1.1.request@scheduler.example").outgoing())
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path("mail")).sorted()
        #expect(files == ["iv-1.0.request@scheduler.example.eml", "iv-1.1.request@scheduler.example.eml"])
        #expect(try Data(contentsOf: transport.file(for: mail.messageID)) == mail.content)
    }
}
