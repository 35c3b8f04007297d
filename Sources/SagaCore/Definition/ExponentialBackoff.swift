/// Capped exponential backoff with jitter: the one formula behind saga step retries and
/// calendar provider retries.
package struct ExponentialBackoff: Hashable, Sendable {
    /// How the computed delay is randomised, so that many callers failing together do not
    /// all retry in the same instant.
    package enum Jitter: String, Hashable, Sendable, CaseIterable {
        /// Exactly the exponential delay.
        case none
        /// Uniform between zero and the exponential delay (AWS's "full jitter").
        case full
        /// Uniform between half the exponential delay and all of it.
        case equal
    }

    package var initial: Duration
    package var cap: Duration
    package var multiplier: Double
    package var jitter: Jitter

    package init(initial: Duration, cap: Duration, multiplier: Double = 2, jitter: Jitter = .full) {
        self.initial = initial
        self.cap = cap
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The wait before attempt `attempt + 1`, with `unitRandom` in `0..<1` driving the
    /// jitter; whole milliseconds.
    package func delay(afterAttempt attempt: Int, unitRandom: Double) -> Duration {
        let cap = self.cap / .milliseconds(1)
        var base = initial / .milliseconds(1)
        for _ in 1..<max(1, attempt) where base < cap { base *= multiplier }
        base = min(cap, base)
        let delay: Double
        switch jitter {
        case .none: delay = base
        case .full: delay = base * unitRandom
        case .equal: delay = base / 2 + base / 2 * unitRandom
        }
        return .milliseconds(Int64(delay.rounded()))
    }
}
