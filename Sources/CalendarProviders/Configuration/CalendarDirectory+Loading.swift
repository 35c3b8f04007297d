import Foundation
package import SagaCore
import SchedulingCore

extension CalendarDirectory {
    /// Builds every account of `file`, reading credentials from files or the environment.
    /// A missing or malformed credential fails here, naming the setting; secrets are never
    /// part of the message.
    package static func load(
        _ file: CalendarAccountsFile, environment: [String: String] = ProcessInfo.processInfo.environment,
        transport: any HTTPTransport = URLSessionTransport(), clock: any WallClock = SystemWallClock()
    ) async throws(CredentialError) -> CalendarDirectory {
        guard !file.accounts.isEmpty else { throw CredentialError(setting: "accounts", problem: "must list at least one account") }
        var names = Set<String>()
        var accounts: [Account] = []
        for (index, entry) in file.accounts.enumerated() {
            let setting = "accounts[\(index)]"
            guard names.insert(entry.name).inserted else {
                throw CredentialError(setting: "\(setting).name", problem: "\"\(entry.name)\" is used twice")
            }
            guard !entry.domains.isEmpty else {
                throw CredentialError(setting: "\(setting).domains", problem: "must list at least one domain or \"*\"")
            }
            let loader = AccountLoader(
                entry: entry, setting: setting, environment: environment, transport: transport, clock: clock, resilience: file.resilience)
            accounts.append(try await loader.load())
        }
        return CalendarDirectory(accounts: accounts)
    }
}

/// Builds one account.
private struct AccountLoader {
    let entry: CalendarAccountsFile.Account
    let setting: String
    let environment: [String: String]
    let transport: any HTTPTransport
    let clock: any WallClock
    let resilience: CalendarAccountsFile.Resilience?

    func load() async throws(CredentialError) -> CalendarDirectory.Account {
        switch entry.provider {
        case "google": return try await google()
        case "graph": return try await graph()
        case "local": return try local()
        default: throw CredentialError(setting: "\(setting).provider", problem: "must be google, graph or local, found \"\(entry.provider)\"")
        }
    }

    private func google() async throws(CredentialError) -> CalendarDirectory.Account {
        let (keyJSON, keySetting) = try secret(file: "serviceAccountKeyFile", env: "serviceAccountKeyEnv")
        let key = try GoogleServiceAccountKey(json: Data(keyJSON.utf8), setting: keySetting)
        let updates = entry.guestUpdates ?? "all"
        guard let guestUpdates = GoogleCalendarProvider.GuestUpdates(rawValue: updates) else {
            throw CredentialError(setting: "\(setting).guestUpdates", problem: "must be all, externalOnly or none, found \"\(updates)\"")
        }
        let http = client("google", isRetriable: GoogleCalendarProvider.isRetriable)
        let tokens = AccessTokenCache(fetcher: await GoogleServiceAccountTokenFetcher(key: key, http: http, clock: clock), clock: clock)
        var configuration = GoogleCalendarProvider.Configuration(guestUpdates: guestUpdates, freeBusySubject: entry.probeCalendar)
        if let base = try url("apiBaseURL") { configuration.baseURL = base }
        let provider = GoogleCalendarProvider(configuration: configuration, http: http, tokens: tokens)
        return account(provider) { () async throws(ProviderError) -> String in
            _ = try await tokens.token(for: entry.probeCalendar ?? key.clientEmail)
            return try await probe(provider, tokenNote: "token for \(key.clientEmail)")
        }
    }

    private func graph() async throws(CredentialError) -> CalendarDirectory.Account {
        guard let tenant = entry.tenantId, !tenant.isEmpty else {
            throw CredentialError(setting: "\(setting).tenantId", problem: "is required for provider graph")
        }
        guard let clientID = entry.clientId, !clientID.isEmpty else {
            throw CredentialError(setting: "\(setting).clientId", problem: "is required for provider graph")
        }
        let secret: GraphClientCredentials.Secret
        if let keyFile = entry.certificateKeyFile {
            guard let pem = FileManager.default.contents(atPath: keyFile) else {
                throw CredentialError(setting: "\(setting).certificateKeyFile", problem: "\(keyFile) cannot be read")
            }
            guard let thumbprint = entry.certificateThumbprint else {
                throw CredentialError(setting: "\(setting).certificateThumbprint", problem: "is required with certificateKeyFile")
            }
            secret = try GraphClientCredentials.certificate(
                privateKeyPEM: String(decoding: pem, as: UTF8.self), thumbprintHex: thumbprint, setting: "\(setting).certificateKeyFile")
        } else {
            secret = .clientSecret(try self.secret(file: "clientSecretFile", env: "clientSecretEnv").value)
        }
        var credentials = GraphClientCredentials(tenantID: tenant, clientID: clientID, secret: secret)
        if let authority = try url("authorityURL") { credentials.authorityURL = authority }
        let http = client("graph", isRetriable: ResilientHTTPClient.retriesStatus)
        let tokens = AccessTokenCache(fetcher: await GraphTokenFetcher(credentials: credentials, http: http, clock: clock), clock: clock)
        var configuration = GraphCalendarProvider.Configuration(scheduleMailbox: entry.probeCalendar)
        if let base = try url("apiBaseURL") { configuration.baseURL = base }
        let provider = GraphCalendarProvider(configuration: configuration, http: http, tokens: tokens)
        return account(provider) { () async throws(ProviderError) -> String in
            _ = try await tokens.token(for: nil)
            return try await probe(provider, tokenNote: "token for client \(clientID)")
        }
    }

    private func local() throws(CredentialError) -> CalendarDirectory.Account {
        let path = entry.database ?? "data/calendars.sqlite"
        let provider: LocalCalendarProvider
        do {
            provider = try LocalCalendarProvider(path: path)
        } catch {
            throw CredentialError(setting: "\(setting).database", problem: "\(path) cannot be opened: \(error)")
        }
        return account(provider) { () async throws(ProviderError) -> String in
            try await probe(provider, tokenNote: "database \(path)")
        }
    }

    private func account(
        _ provider: any CalendarProvider, check: @escaping @Sendable () async throws(ProviderError) -> String
    ) -> CalendarDirectory.Account {
        CalendarDirectory.Account(name: entry.name, provider: provider, domains: entry.domains, probeCalendar: entry.probeCalendar, check: check)
    }

    /// The harmless read: the probe calendar's busy time over the next hour.
    private func probe(_ provider: any CalendarProvider, tokenNote: String) async throws(ProviderError) -> String {
        guard let calendar = entry.probeCalendar else { return "\(tokenNote); no probeCalendar to read" }
        let now = Instant(clock.now())
        let busy = try await provider.busyTime(
            of: [calendar], in: Interval(start: now, end: Instant(secondsSinceEpoch: now.secondsSinceEpoch + 3600)))
        return "\(tokenNote); \(calendar): \(busy[calendar]?.intervals.count ?? 0) busy period(s) in the next hour"
    }

    private func client(_ provider: String, isRetriable: @escaping @Sendable (HTTPResponse) -> Bool) -> ResilientHTTPClient {
        let defaults = ResilientHTTPClient.Policy()
        let policy = ResilientHTTPClient.Policy(
            maxAttempts: resilience?.maxAttempts ?? defaults.maxAttempts,
            initialBackoff: defaults.initialBackoff, maxBackoff: defaults.maxBackoff,
            requestTimeout: resilience?.requestTimeoutSeconds.map { .milliseconds(Int64($0 * 1000)) } ?? defaults.requestTimeout,
            deadline: resilience?.deadlineSeconds.map { .milliseconds(Int64($0 * 1000)) } ?? defaults.deadline)
        let breaker = CircuitBreaker(
            provider: provider, tenant: entry.name, failureThreshold: resilience?.breakerFailures ?? 5,
            coolDown: .seconds(Int64(resilience?.breakerCoolDownSeconds ?? 30)), clock: clock)
        return ResilientHTTPClient(provider: provider, transport: transport, breaker: breaker, policy: policy, clock: clock, isRetriable: isRetriable)
    }

    /// A secret from the file named by `file` or the variable named by `env`, and the
    /// setting it came from.
    private func secret(file: String, env: String) throws(CredentialError) -> (value: String, setting: String) {
        let fields = [
            "serviceAccountKeyFile": entry.serviceAccountKeyFile, "serviceAccountKeyEnv": entry.serviceAccountKeyEnv,
            "clientSecretFile": entry.clientSecretFile, "clientSecretEnv": entry.clientSecretEnv,
        ]
        if let path = fields[file] ?? nil {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CredentialError(setting: "\(setting).\(file)", problem: "\(path) cannot be read")
            }
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw CredentialError(setting: "\(setting).\(file)", problem: "\(path) is empty") }
            return (value, "\(setting).\(file) (\(path))")
        }
        if let variable = fields[env] ?? nil {
            guard let value = environment[variable], !value.isEmpty else {
                throw CredentialError(setting: "\(setting).\(env)", problem: "the variable \(variable) is not set")
            }
            return (value, "\(setting).\(env) (\(variable))")
        }
        throw CredentialError(setting: "\(setting).\(file)", problem: "\(file) or \(env) is required for provider \(entry.provider)")
    }

    private func url(_ field: String) throws(CredentialError) -> URL? {
        let value = field == "apiBaseURL" ? entry.apiBaseURL : entry.authorityURL
        guard let value else { return nil }
        guard let url = URL(string: value.hasSuffix("/") ? value : value + "/"), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw CredentialError(setting: "\(setting).\(field)", problem: "must be an http(s) URL")
        }
        return url
    }
}
