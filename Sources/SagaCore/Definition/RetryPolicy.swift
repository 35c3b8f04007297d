/// How a failing action or compensation is tried again: exponential backoff with jitter,
/// for the error kinds that are worth a retry.
package struct RetryPolicy: Hashable, Sendable {
    package typealias Jitter = ExponentialBackoff.Jitter

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
        ExponentialBackoff(initial: initialBackoff, cap: maxBackoff, multiplier: multiplier, jitter: jitter).delay(
            afterAttempt: attempt, unitRandom: unitRandom)
    }
}
