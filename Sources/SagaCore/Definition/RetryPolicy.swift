/// How a failing action or compensation is tried again: exponential backoff with jitter,
/// for the error kinds that are worth a retry.
package struct RetryPolicy: Hashable, Sendable {
    /// How the computed delay is randomised, so that many sagas failing together do not
    /// all retry in the same instant.
    package enum Jitter: String, Hashable, Sendable, CaseIterable {
        /// Exactly the exponential delay.
        case none
        /// Uniform between zero and the exponential delay (AWS's "full jitter").
        case full
        /// Uniform between half the exponential delay and all of it.
        case equal
    }

    /// Attempts in all, the first included; 1 means no retry.
    package var maxAttempts: Int
    package var initialBackoff: Duration
    package var maxBackoff: Duration
    package var multiplier: Double
    package var jitter: Jitter
    /// The error kinds that are retried; others fail at once.
    package var retryOn: Set<StepFailure.Kind>

    package init(
        maxAttempts: Int, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60),
        multiplier: Double = 2, jitter: Jitter = .full, retryOn: Set<StepFailure.Kind> = [.transient, .timeout]
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
        self.jitter = jitter
        self.retryOn = retryOn
    }

    /// One attempt, no retry.
    package static let once = RetryPolicy(maxAttempts: 1)

    /// Whether a failure of `kind` after `attempt` attempts is tried again.
    package func shouldRetry(_ kind: StepFailure.Kind, afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts && retryOn.contains(kind)
    }

    /// The wait before attempt `attempt + 1`, with `unitRandom` in `0..<1` driving the jitter.
    package func backoff(afterAttempt attempt: Int, unitRandom: Double) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let initial = Double(initialBackoff.milliseconds)
        let cap = Double(maxBackoff.milliseconds)
        let base = min(cap, initial * pow(multiplier, exponent))
        let delay: Double
        switch jitter {
        case .none: delay = base
        case .full: delay = base * unitRandom
        case .equal: delay = base / 2 + base / 2 * unitRandom
        }
        return .milliseconds(Int64(delay.rounded()))
    }
}

/// `pow` without importing Foundation's C math into the pure core.
private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 && result < .greatestFiniteMagnitude {
        result *= base
        remaining -= 1
    }
    return result
}
