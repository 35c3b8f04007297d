package import Foundation

/// Where the engine reads the time; tests substitute a clock they move by hand.
package protocol SagaClock: Sendable {
    func now() -> Date
}

/// The real clock.
package struct SystemSagaClock: SagaClock {
    package init() {}
    package func now() -> Date { Date() }
}
