package import Foundation

/// How to reach the SMTP relay.
package struct SMTPSettings: Sendable, CustomStringConvertible {
    /// How the conversation is protected.
    package enum Security: String, Sendable {
        /// `smtp://`: STARTTLS before anything else; a relay that does not offer it is refused.
        case startTLS
        /// `smtps://`: TLS from the first byte.
        case implicitTLS
        /// `smtp://` with `SCHEDULER_SMTP_TLS=none`: plain text, for a relay on this machine.
        case none
    }

    /// `smtp://host:port` or `smtps://host:port`.
    package var url: URL
    package var security: Security
    package var username: String?
    /// Never logged, never in `description`.
    package var password: String?
    /// A CA bundle to trust instead of the system's (a private relay's certificate).
    package var caFile: String?
    package var connectTimeout: Duration
    /// The whole conversation, connection to the final reply.
    package var timeout: Duration

    package init(
        url: URL, security: Security, username: String? = nil, password: String? = nil, caFile: String? = nil,
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    package var description: String {
        "\(url.absoluteString) (\(security.rawValue)\(username.map { ", as \($0)" } ?? ""))"
    }
}
