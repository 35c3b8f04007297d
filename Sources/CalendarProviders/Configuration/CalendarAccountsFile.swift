import Foundation
import Yams

/// `calendars.yaml`: which provider account holds whose calendar, and how to reach it.
///
/// ```yaml
/// accounts:
///   - name: acme                      # the circuit breaker's tenant label
///     provider: google                # google | graph | local
///     domains: [acme.example]         # interviewers' e-mail domains; "*" matches any
///     serviceAccountKeyFile: /run/secrets/google.json   # or serviceAccountKeyEnv
///     guestUpdates: all               # all | externalOnly | none
///     probeCalendar: recruiting@acme.example            # read by `scheduler calendars check`
///   - name: contoso
///     provider: graph
///     domains: [contoso.example]
///     tenantId: 7d1c…
///     clientId: 0f3e…
///     clientSecretEnv: GRAPH_CLIENT_SECRET              # or clientSecretFile, or
///     # certificateKeyFile: …  with  certificateThumbprint: <40 hex digits>
///   - name: local
///     provider: local
///     domains: ["*"]
///     database: data/calendars.sqlite
/// resilience: { maxAttempts: 5, requestTimeoutSeconds: 10, deadlineSeconds: 60, breakerFailures: 5, breakerCoolDownSeconds: 30 }
/// ```
package struct CalendarAccountsFile: Codable, Sendable {
    package struct Account: Codable, Sendable {
        package var name: String
        package var provider: String
        package var domains: [String]
        package var probeCalendar: String?
        package var apiBaseURL: String?
        // Google
        package var serviceAccountKeyFile: String?
        package var serviceAccountKeyEnv: String?
        package var guestUpdates: String?
        // Graph
        package var tenantId: String?
        package var clientId: String?
        package var clientSecretEnv: String?
        package var clientSecretFile: String?
        package var certificateKeyFile: String?
        package var certificateThumbprint: String?
        package var authorityURL: String?
        // Local
        package var database: String?
    }

    package struct Resilience: Codable, Sendable {
        package var maxAttempts: Int?
        package var requestTimeoutSeconds: Double?
        package var deadlineSeconds: Double?
        package var breakerFailures: Int?
        package var breakerCoolDownSeconds: Double?
    }

    package var accounts: [Account]
    package var resilience: Resilience?

    /// Only the local provider, in `database`: the embedded default.
    package static func localOnly(database: String) -> CalendarAccountsFile {
        CalendarAccountsFile(accounts: [Account(name: "local", provider: "local", domains: ["*"], database: database)], resilience: nil)
    }

    /// Reads the file; an error names the file and what is wrong.
    package init(contentsOf path: String) throws(CredentialError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialError(setting: path, problem: "cannot be read")
        }
        do {
            self = try YAMLDecoder().decode(CalendarAccountsFile.self, from: String(decoding: data, as: UTF8.self))
        } catch let DecodingError.keyNotFound(key, context) {
            throw CredentialError(setting: "\(path): \(Self.path(context.codingPath + [key]))", problem: "is required")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw CredentialError(setting: "\(path): \(Self.path(context.codingPath))", problem: context.debugDescription)
        } catch {
            throw CredentialError(setting: path, problem: "is not valid YAML: \(error)")
        }
    }

    init(accounts: [Account], resilience: Resilience?) {
        self.accounts = accounts
        self.resilience = resilience
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

extension CalendarAccountsFile.Account {
    init(name: String, provider: String, domains: [String], database: String) {
        self.name = name
        self.provider = provider
        self.domains = domains
        self.database = database
    }
}
