import Foundation
import ICalendar
import Mail
import SchedulingCore

/// The words of the candidate's e-mail: a subject, and the same content as plain text and as
/// HTML (every value escaped). Times are in the candidate's zone, with the zone's name and
/// its UTC offset at that moment.
struct CandidateMailText {
    let subject: String
    let plain: String
    let html: String

    init(_ mail: CandidateMail) {
        let request = mail.request
        let when = Self.when(mail.slot, in: request.candidate.timeZone)
        let title = request.displayTitle
        let lead: String
        switch (mail.method, mail.sequence) {
        case (.cancel, _):
            subject = "Cancelled: \(title), \(when.short)"
            lead = "Your interview has been cancelled. The calendar update attached removes it from your calendar."
        case (.request, 0):
            subject = "Invitation: \(title), \(when.short)"
            lead = "You are invited to an interview. Open the attached invitation to add it to your calendar and to accept or decline."
        case (.request, _):
            subject = "Updated: \(title), \(when.short)"
            lead = "The time of your interview has changed. The attached invitation replaces the earlier one."
        }
        var details: [(String, String)] = [("What", title), ("When", when.long)]
        if let link = request.meetingUrl { details.append(("Join", link)) }
        if let location = request.location, !location.isEmpty { details.append(("Where", location)) }
        details.append(("Panel", request.interviewers.map(\.name).joined(separator: ", ")))
        if let page = mail.pageLink, mail.method == .request { details.append(("Answer", page)) }
        let greeting = "Dear \(request.candidate.name),"
        let closing = mail.organizer.name ?? mail.organizer.address

        var plain = [greeting, "", lead, ""] + details.map { "\($0.0): \($0.1)" }
        if let description = request.description, !description.isEmpty { plain += ["", description] }
        plain += ["", closing]
        self.plain = plain.joined(separator: "\n")

        let rows = details.map { label, value in
            let shown: String
            switch label {
            case "Join": shown = "<a href=\"\(Self.escape(value))\">\(Self.escape(value))</a>"
            case "Answer": shown = "<a href=\"\(Self.escape(value))\">Accept, decline or ask for another time</a>"
            default: shown = Self.escape(value)
            }
            return "<tr><th align=\"left\">\(label)</th><td>\(shown)</td></tr>"
        }
        var html =
            ["<!DOCTYPE html>", "<html><body>", "<p>\(Self.escape(greeting))</p>", "<p>\(Self.escape(lead))</p>", "<table>"] + rows + ["</table>"]
        if let description = request.description, !description.isEmpty {
            html.append("<p>\(Self.escape(description).replacingOccurrences(of: "\n", with: "<br>"))</p>")
        }
        html += ["<p>\(Self.escape(closing))</p>", "</body></html>"]
        self.html = html.joined(separator: "\n")
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// `Tue 1 Dec 2026, 14:00 UTC+01:00` and `Tuesday, 1 December 2026, 14:00–15:00 (Europe/Berlin, UTC+01:00)`,
    /// by the core's calendar arithmetic (no `DateFormatter`: ICU dominated composing a message).
    static func when(_ slot: Interval, in zoneName: String) -> (short: String, long: String) {
        let zone = IANATimeZone.named(zoneName) ?? TimeZone.gmt
        let start = zone.localDateTime(at: slot.start), end = zone.localDateTime(at: slot.end)
        let offset = utcOffset(Int(zone.utcOffset(at: slot.start)))
        let endText = start.date == end.date ? clock(end) : "\(longDate(end.date)), \(clock(end))"
        let short =
            "\(start.date.weekday.abbreviation) \(start.date.day) \(monthNames[start.date.month - 1].prefix(3)) \(start.date.year), \(clock(start))"
        return ("\(short) \(offset)", "\(longDate(start.date)), \(clock(start))–\(endText) (\(zone.identifier), \(offset))")
    }

    private static func longDate(_ date: LocalDate) -> String {
        "\(date.weekday.rawValue.capitalized), \(date.day) \(monthNames[date.month - 1]) \(date.year)"
    }

    private static func clock(_ time: LocalDateTime) -> String {
        "\(twoDigits(time.secondOfDay / 3600)):\(twoDigits(time.secondOfDay % 3600 / 60))"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    static func utcOffset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return "UTC\(sign)\(twoDigits(minutes / 60)):\(twoDigits(minutes % 60))"
    }

    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
