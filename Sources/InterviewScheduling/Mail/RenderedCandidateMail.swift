package import Mail

/// A candidate's mail rendered before the transaction that queues it. Rendering (MIME parts,
/// quoted-printable) is the costly part of queueing, and inside the transaction it would hold
/// the database's one writer while every other saga's commit waits.
package struct RenderedCandidateMail: Sendable {
    package let mail: CandidateMail
    /// The message as sent, or why it cannot be written (an address SMTP cannot carry).
    package let rendering: Result<OutgoingMail, MailFormatError>

    package init(_ mail: CandidateMail) {
        self.mail = mail
        do {
            rendering = .success(try mail.message().outgoing())
        } catch {
            rendering = .failure(error)
        }
    }
}
