/// Why an action or compensation did not succeed, as the saga log records it.
public struct StepFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The classes of failure a retry policy chooses between.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// Worth trying again: a connection reset, a 503, a broker outage.
        case transient
        /// The step did not finish within its timeout.
        case timeout
        /// The other side refused for good: bad input, a 4xx.
        case permanent
        /// The world changed under the step: the slot was taken, a version moved on.
        case conflict
        /// A circuit breaker is open; the provider is known to be down.
        case unavailable

        /// Whether the action may have taken effect before failing this way (a timeout, a
        /// reset connection); the other kinds are refusals.
        public var mayFollowTheEffect: Bool { self == .transient || self == .timeout }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
