import Foundation
import Logging
import Mail
package import SMTP

/// Where the candidate's e-mail goes, from the environment.
///
/// - `SCHEDULER_SMTP_URL` (`smtp://host:port` or `smtps://host:port`): an SMTP relay. On
///   `smtp://` STARTTLS is required unless `SCHEDULER_SMTP_TLS=none` says the relay is local.
///   `SCHEDULER_SMTP_USERNAME` and `SCHEDULER_SMTP_PASSWORD_FILE` log in (the password is read
///   from the file and never logged); `SCHEDULER_SMTP_CA_FILE` trusts a private certificate.
/// - `SCHEDULER_MAIL_DIRECTORY`: `.eml` files in that directory, for a program that sends them.
/// - Neither, in embedded mode: `.eml` files in `<data>/mail`. In production one is required.
package enum MailSettings: Sendable {
    case smtp(SMTPSettings)
    case directory(String)

    static func read(_ setting: Settings, embedded: Bool, dataDirectory: String) throws(ServiceConfigurationError) -> MailSettings {
        if let text = setting["SCHEDULER_SMTP_URL"] { return .smtp(try smtp(text, setting)) }
        if let directory = setting["SCHEDULER_MAIL_DIRECTORY"] { return .directory(directory) }
        guard embedded else {
            throw .missing(
                "SCHEDULER_SMTP_URL",
                "the SMTP relay that sends candidates their invitations (smtp://host:port or smtps://host:port); or SCHEDULER_MAIL_DIRECTORY for .eml files"
            )
        }
        return .directory(URL(fileURLWithPath: dataDirectory).appendingPathComponent("mail").path)
    }

    private static func smtp(_ text: String, _ setting: Settings) throws(ServiceConfigurationError) -> SMTPSettings {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme), let host = url.host,
            !host.isEmpty, url.user == nil, url.password == nil, url.path.isEmpty || url.path == "/"
        else {
            throw .invalid(
                "SCHEDULER_SMTP_URL", text,
                "smtp://host[:port] or smtps://host[:port] (credentials go in SCHEDULER_SMTP_USERNAME and SCHEDULER_SMTP_PASSWORD_FILE)")
        }
        let security: SMTPSettings.Security
        switch (scheme, setting["SCHEDULER_SMTP_TLS"]?.lowercased()) {
        case ("smtps", nil), ("smtps", "required"): security = .implicitTLS
        case ("smtp", nil), ("smtp", "required"): security = .startTLS
        case ("smtp", "none"): security = .none
        case (_, let value?): throw .invalid("SCHEDULER_SMTP_TLS", value, "\"required\" (the default) or \"none\" (smtp:// to a local relay only)")
        default: throw .invalid("SCHEDULER_SMTP_URL", text, "smtp:// or smtps://")
        }
        let username = setting["SCHEDULER_SMTP_USERNAME"]
        var password: String?
        if let file = setting["SCHEDULER_SMTP_PASSWORD_FILE"] {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ServiceConfigurationError(variable: "SCHEDULER_SMTP_PASSWORD_FILE", problem: "names a file that cannot be read: \(file)")
            }
            password = contents.hasSuffix("\n") ? String(contents.dropLast()) : contents
        }
        if password != nil, username == nil { throw .missing("SCHEDULER_SMTP_USERNAME", "the login that goes with SCHEDULER_SMTP_PASSWORD_FILE") }
        if username != nil, password == nil { throw .missing("SCHEDULER_SMTP_PASSWORD_FILE", "the password that goes with SCHEDULER_SMTP_USERNAME") }
        if username != nil, security == .none {
            throw ServiceConfigurationError(
                variable: "SCHEDULER_SMTP_TLS", problem: "is none, but a password is never sent without TLS: drop the login or use TLS")
        }
        if let caFile = setting["SCHEDULER_SMTP_CA_FILE"], !FileManager.default.isReadableFile(atPath: caFile) {
            throw ServiceConfigurationError(variable: "SCHEDULER_SMTP_CA_FILE", problem: "names a file that cannot be read: \(caFile)")
        }
        return SMTPSettings(url: url, security: security, username: username, password: password, caFile: setting["SCHEDULER_SMTP_CA_FILE"])
    }
}

extension MailSettings {
    /// The transport these settings describe.
    func transport(logger: Logger) throws -> any MailTransport {
        switch self {
        case .smtp(let settings): CurlSMTPTransport(settings: settings, logger: logger)
        case .directory(let path): MailDirectoryTransport(directory: URL(fileURLWithPath: path))
        }
    }
}
