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
public struct CalendarAccountsFile: Codable, Sendable {
    public struct Account: Codable, Sendable {
        public var name: String
        public var provider: String
        public var domains: [String]
        public var probeCalendar: String?
        public var apiBaseURL: String?
        // Google
        public var serviceAccountKeyFile: String?
        public var serviceAccountKeyEnv: String?
        public var guestUpdates: String?
        // Graph
        public var tenantId: String?
        public var clientId: String?
        public var clientSecretEnv: String?
        public var clientSecretFile: String?
        public var certificateKeyFile: String?
        public var certificateThumbprint: String?
        public var authorityURL: String?
        // Local
        public var database: String?
    }

    public struct Resilience: Codable, Sendable {
        public var maxAttempts: Int?
        public var requestTimeoutSeconds: Double?
        public var deadlineSeconds: Double?
        public var breakerFailures: Int?
        public var breakerCoolDownSeconds: Double?
    }

    public var accounts: [Account]
    public var resilience: Resilience?

    /// Only the local provider, in `database`: the embedded default.
    public static func localOnly(database: String) -> CalendarAccountsFile {
        CalendarAccountsFile(accounts: [Account(name: "local", provider: "local", domains: ["*"], database: database)], resilience: nil)
    }

    /// Reads the file; an error names the file and what is wrong.
    public init(contentsOf path: String) throws(CredentialError) {
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
