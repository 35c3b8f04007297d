import Foundation

/// Where the engine reads the time; tests substitute a clock they move by hand.
public protocol SagaClock: Sendable {
    func now() -> Date
}

/// The real clock.
public struct SystemSagaClock: SagaClock {
    public init() {}
    public func now() -> Date { Date() }
}
