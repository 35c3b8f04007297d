import Foundation
import Mail
import SchedulerTesting

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
