package import Foundation
package import ICalendar
package import Mail
package import SchedulingCore

/// The e-mail that carries the candidate's invitation (iMIP, RFC 6047): what, when in the
/// candidate's own zone with its UTC offset, the meeting link and the panel, as plain text and
/// HTML, with the calendar object as `text/calendar; method=…` so that mail clients show
/// their accept and decline buttons.
package struct CandidateMail: Sendable {
    package var request: SchedulingRequestBody
    package var interviewID: String
    package var slot: Interval
    package var sequence: Int
    package var method: Invitation.Method
    /// The rendered .ics, exactly as stored for download.
    package var calendar: String
    package var organizer: MailAddress
    /// The right-hand side of the Message-ID, as of the invitation's UID.
    package var domain: String
    package var date: Date
    /// The candidate's own page (accept, decline, another time), when the service has one.
    package var pageLink: String?

    package init(
        request: SchedulingRequestBody, interviewID: String, slot: Interval, sequence: Int, method: Invitation.Method, calendar: String,
        organizer: MailAddress, domain: String, date: Date, pageLink: String? = nil
    ) {
        self.request = request
        self.interviewID = interviewID
        self.slot = slot
        self.sequence = sequence
        self.method = method
        self.calendar = calendar
        self.organizer = organizer
        self.domain = domain
        self.date = date
        self.pageLink = pageLink
    }

    /// `<interview>.<sequence>.<method>@<domain>`: the same for every attempt to send this
    /// version of the invitation, and different for every other version.
    package static func messageID(interviewID: String, sequence: Int, method: Invitation.Method, domain: String) -> String {
        "\(interviewID).\(sequence).\(method.rawValue)@\(domain)"
    }

    package var messageID: String { Self.messageID(interviewID: interviewID, sequence: sequence, method: method, domain: domain) }

    package func message() throws(MailFormatError) -> MailMessage {
        let text = CandidateMailText(self)
        return try MailMessage(
            messageID: messageID, from: organizer, to: [MailAddress(request.candidate.email, name: request.candidate.name)], subject: text.subject,
            date: date,
            body: .multipart(
                subtype: "mixed",
                [
                    .multipart(subtype: "alternative", [.text(subtype: "plain", text.plain), .text(subtype: "html", text.html)]),
                    .calendar(method: method.rawValue.uppercased(), fileName: method == .cancel ? "cancel.ics" : "invite.ics", calendar),
                ]),
            // RFC 3834: written by a program, so out-of-office replies stay away.
            extraHeaders: [("Auto-Submitted", "auto-generated")])
    }
}
