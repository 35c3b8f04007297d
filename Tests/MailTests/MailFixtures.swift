import Foundation
import Mail
import SchedulerTesting

/// What `scripts/tests/read_mail.py` (Python's `email` and `icalendar`) reads in a message.
struct ParsedMail: Decodable {
    struct Node: Decodable, Equatable {
        var type: String
        var method: String?
        var parts: [Node]?
    }

    struct Calendar: Decodable {
        var method: String
        var partMethod: String?
        var uid: String
        var sequence: Int
        var status: String
        var start: String
        var end: String
        var organizer: String
        var attendees: [String]
        var url: String
        var location: String
    }

    var tree: Node
    var headers: [String: String]
    var defects: [String]
    var text: String?
    var html: String?
    var calendar: Calendar?

    /// Parses the message in `file` with Python.
    static func reading(_ file: URL) async throws -> ParsedMail {
        let result = try await ChildProcess(
            executable: ChildProcess.onPath("python3"),
            arguments: [BuiltProducts.repositoryRoot.appendingPathComponent("scripts/tests/read_mail.py").path, file.path]
        ).run()
        guard result.status == 0 else { throw TestServerError("read_mail.py failed: \(result.standardError)") }
        return try JSONDecoder().decode(ParsedMail.self, from: Data(result.standardOutput.utf8))
    }

    /// Parses `content` with Python.
    static func reading(_ content: Data) async throws -> ParsedMail {
        let directory = try TemporaryDirectory(prefix: "mail")
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("message.eml")
        try content.write(to: file)
        return try await reading(file)
    }
}

enum SampleMail {
    static let calendar = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//mail//EN", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:iv-1@scheduler.example",
        "SEQUENCE:0", "DTSTAMP:20261201T090000Z", "DTSTART:20261201T140000Z", "DTEND:20261201T150000Z", "SUMMARY:Interview",
        "ORGANIZER;CN=Scheduling:mailto:interviews@scheduler.example", "ATTENDEE;CN=Zoë:mailto:zoe@example.com", "END:VEVENT",
        "END:VCALENDAR", "",
    ].joined(separator: "\r\n")

    static func message(
        id: String = "iv-1.0.request@scheduler.example", text: String = "Hello", subject: String = "Interview"
    ) throws
        -> MailMessage
    {
        try MailMessage(
            messageID: id, from: MailAddress("interviews@scheduler.example", name: "Interview Scheduling"),
            to: [MailAddress("zoe@example.com", name: "Zoë Ångström")], subject: subject, date: Date(timeIntervalSince1970: 1_796_000_000),
            body: .multipart(
                subtype: "mixed",
                [
                    .multipart(subtype: "alternative", [.text(subtype: "plain", text), .text(subtype: "html", "<p>\(text)</p>")]),
                    .calendar(method: "REQUEST", fileName: "invite.ics", calendar),
                ]),
            extraHeaders: [("Auto-Submitted", "auto-generated")])
    }
}
