/// A calendar provider's failure, classified so that a saga can decide: retry later, wait
/// for the provider, or compensate.
package struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Kind: String, Hashable, Sendable {
        /// 5xx or a broken connection, still failing after the retries.
        case transient
        /// No response within the request timeout or the overall deadline.
        case timeout
        /// 429, still failing after honouring Retry-After.
        case rateLimited
        /// The circuit breaker is open: the provider is known to be down; nothing was sent.
        case unavailable
        /// Credentials refused (401/403 after a token refresh).
        case authentication
        /// Another 4xx: the request itself is wrong; retrying will not help.
        case rejected
    }

    package var kind: Kind
    /// `google`, `graph`, `local`.
    package var provider: String
    package var status: Int?
    /// The API's own error message, kept for the saga log.
    package var message: String

    package init(_ kind: Kind, provider: String, status: Int? = nil, message: String) {
        self.kind = kind
        self.provider = provider
        self.status = status
        self.message = message
    }

    package var description: String {
        "\(provider) \(kind.rawValue)" + (status.map { " (HTTP \($0))" } ?? "") + ": \(message)"
    }
}
