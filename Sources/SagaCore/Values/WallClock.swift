package import Foundation

/// Where the time is read and waited for: the real clock in the service; in tests, one moved
/// by hand or one that records its waits. One protocol for the saga engine, the Kafka
/// pipeline and the calendar providers.
package protocol WallClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

extension WallClock {
    /// Waits for real, unless the clock says otherwise.
    package func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

/// The real clock.
package struct SystemWallClock: WallClock {
    package init() {}
    package func now() -> Date { Date() }
}
