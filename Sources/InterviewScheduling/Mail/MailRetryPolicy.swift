/// How long the mail relay waits before trying a temporarily refused message again, and when
/// it gives up. The defaults follow what mail servers do: retries for several hours.
package struct MailRetryPolicy: Sendable {
    package var initialBackoff: Duration
    package var maximumBackoff: Duration
    /// Attempts in all, the first included; after the last, the message is undeliverable.
    package var maximumAttempts: Int

    package init(initialBackoff: Duration = .seconds(30), maximumBackoff: Duration = .seconds(3600), maximumAttempts: Int = 12) {
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumAttempts = maximumAttempts
    }

    /// The wait after `attempts` failed attempts: doubling from `initialBackoff` up to
    /// `maximumBackoff`, between half and all of it (so that messages refused together do
    /// not come back together).
    package func backoff(afterAttempts attempts: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let doublings = min(max(attempts - 1, 0), 30)
        let full = min(initialBackoff * (1 << doublings), maximumBackoff)
        return full * (0.5 + 0.5 * random)
    }
}
