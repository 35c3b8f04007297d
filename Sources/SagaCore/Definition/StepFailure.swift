/// Why an action or compensation did not succeed, as the saga log records it.
package struct StepFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The classes of failure a retry policy chooses between.
    package enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
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
        /// An operator or the requester stopped the saga; nothing failed.
        case aborted

        /// Whether the action may have taken effect before failing this way (a timeout, a
        /// reset connection); the other kinds are refusals.
        package var mayFollowTheEffect: Bool { self == .transient || self == .timeout }
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { "\(kind.rawValue): \(message)" }
}
