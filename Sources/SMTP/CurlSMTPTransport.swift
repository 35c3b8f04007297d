import CCurl
import Foundation
package import Logging
package import Mail

/// Sends mail to an SMTP relay with libcurl. Transfers run one at a time on a thread of their
/// own (never on the cooperative pool), through one easy handle, so the connection to the
/// relay is reused from one message to the next.
package final class CurlSMTPTransport: MailTransport, @unchecked Sendable {
    // The handle is made, used and touched only on `queue`: that is what makes this class
    // Sendable. It is made at the first message, so that nothing of libcurl runs on the
    // caller's thread.
    private var handle: CurlEasyHandle?
    private let queue = SerialWorkQueue(label: "smtp")
    private let settings: SMTPSettings
    private let logger: Logger

    package init(settings: SMTPSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    package var destination: String { settings.description }

    package func deliver(_ mail: OutgoingMail) async throws(MailDeliveryError) {
        let failure = await queue.run { [self] in send(mail) }
        if let failure { throw failure }
    }

    /// One SMTP conversation: blocks until the relay has answered the message's `DATA`.
    private func send(_ mail: OutgoingMail) -> MailDeliveryError? {
        let recipients = CurlStringList(mail.recipients.map { "<\($0)>" })
        let upload = MessageUpload(mail.content)
        let handle: CurlEasyHandle
        do {
            if self.handle == nil { self.handle = try CurlEasyHandle() }
            guard let made = self.handle else { return MailDeliveryError(.transient, "libcurl could not make a handle") }
            handle = made
            try configure(handle, mail, recipients: recipients, upload: upload)
        } catch {
            return MailDeliveryError(.transient, "libcurl refused an option: \(error)")
        }
        let failure = withExtendedLifetime((recipients, upload)) { handle.perform() }
        // Nothing of this message stays on the handle for the next one.
        try? handle.set(CURLOPT_MAIL_RCPT, pointer: nil)
        try? handle.set(CURLOPT_READDATA, pointer: nil)
        guard let failure else { return nil }
        return Self.classify(failure, replyCode: handle.responseCode)
    }

    private func configure(_ handle: CurlEasyHandle, _ mail: OutgoingMail, recipients: CurlStringList, upload: MessageUpload) throws(CurlError) {
        try handle.set(CURLOPT_URL, settings.url.absoluteString)
        try handle.set(CURLOPT_NOSIGNAL, 1)
        try handle.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try handle.set(CURLOPT_USE_SSL, Int(settings.security == .none ? CURLUSESSL_NONE.rawValue : CURLUSESSL_ALL.rawValue))
        if let caFile = settings.caFile { try handle.set(CURLOPT_CAINFO, caFile) }
        if let username = settings.username { try handle.set(CURLOPT_USERNAME, username) }
        if let password = settings.password { try handle.set(CURLOPT_PASSWORD, password) }
        try handle.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(settings.connectTimeout))
        try handle.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(settings.timeout))
        try handle.set(CURLOPT_MAIL_FROM, "<\(mail.sender)>")
        try handle.set(CURLOPT_MAIL_RCPT, pointer: UnsafeMutableRawPointer(recipients.raw))
        try handle.set(CURLOPT_UPLOAD, 1)
        try handle.set(CURLOPT_INFILESIZE_LARGE, offset: Int64(mail.content.count))
        try handle.setReadFunction(MessageUpload.readChunk)
        try handle.set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(upload).toOpaque())
    }

    /// At least 1: libcurl reads 0 as "no limit".
    static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000))
    }

    /// SMTP's rule (RFC 5321 §4.2.1): a 4xx reply is temporary, a 5xx reply permanent. Anything
    /// without a reply (no connection, a dropped one, a timeout, TLS) is temporary, and so is a
    /// refused login: the relay's configuration is wrong, not the message, and fixing it
    /// should let the message go.
    static func classify(_ failure: CurlError, replyCode: Int) -> MailDeliveryError {
        let code = replyCode > 0 ? replyCode : nil
        // 530 (authentication required) and 535 (credentials refused) are about the relay's set-up too.
        if failure.code == CURLE_LOGIN_DENIED || failure.code == CURLE_USE_SSL_FAILED || failure.code == CURLE_PEER_FAILED_VERIFICATION
            || replyCode == 530 || replyCode == 535
        {
            return MailDeliveryError(.transient, replyCode: code, "the relay refused the connection's set-up: \(failure)")
        }
        let said = code.map { "the relay answered \($0) (\(failure))" } ?? "\(failure)"
        switch replyCode {
        case 500..<600: return MailDeliveryError(.permanent, replyCode: code, said)
        default: return MailDeliveryError(.transient, replyCode: code, said)
        }
    }
}
