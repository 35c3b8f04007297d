package import Foundation
package import SagaCore

/// A bearer token and when it stops working.
package struct AccessToken: Hashable, Sendable {
    package var value: String
    package var expiresAt: Date

    package init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }
}

/// Gets a new token from an OAuth 2.0 token endpoint.
package protocol AccessTokenFetcher: Sendable {
    /// `subject` is the user to act as (Google's domain-wide delegation); `nil` where the
    /// credential acts as itself (Graph's client credentials).
    func fetchToken(subject: String?) async throws(ProviderError) -> AccessToken
}

/// Keeps one token per subject until shortly before it expires; concurrent callers share
/// one fetch. After a 401 the caller invalidates the token it used and asks again.
package actor AccessTokenCache {
    private let fetcher: any AccessTokenFetcher
    private let clock: any WallClock
    private let refreshMargin: TimeInterval
    private var tokens: [String: AccessToken] = [:]
    private var fetches: [String: Task<AccessToken, any Error>] = [:]

    package init(fetcher: any AccessTokenFetcher, clock: any WallClock = SystemWallClock(), refreshMargin: Duration = .seconds(300)) {
        self.fetcher = fetcher
        self.clock = clock
        self.refreshMargin = refreshMargin / .seconds(1)
    }

    /// A token valid for at least the refresh margin.
    package func token(for subject: String?) async throws(ProviderError) -> String {
        let key = subject ?? ""
        if let token = tokens[key], token.expiresAt.timeIntervalSince(clock.now()) > refreshMargin {
            return token.value
        }
        let fetch: Task<AccessToken, any Error>
        if let running = fetches[key] {
            fetch = running
        } else {
            let fetcher = self.fetcher
            fetch = Task { () async throws -> AccessToken in try await fetcher.fetchToken(subject: subject) }
            fetches[key] = fetch
        }
        defer { fetches[key] = nil }
        do {
            let token = try await fetch.value
            tokens[key] = token
            return token.value
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(.authentication, provider: "oauth", message: "\(error)")
        }
    }

    /// Forgets `value` if it is still the cached token of `subject`.
    package func invalidate(_ value: String, for subject: String?) {
        if tokens[subject ?? ""]?.value == value { tokens[subject ?? ""] = nil }
    }
}
