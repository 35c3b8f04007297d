package import Foundation

/// Time for retries and breakers; tests substitute one that records sleeps without waiting.
package protocol ProviderClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// The real clock.
package struct SystemProviderClock: ProviderClock {
    package init() {}
    package func now() -> Date { Date() }
    package func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
