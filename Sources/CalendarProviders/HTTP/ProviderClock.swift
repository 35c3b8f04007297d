import Foundation

/// Time for retries and breakers; tests substitute one that records sleeps without waiting.
public protocol ProviderClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemProviderClock: ProviderClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
