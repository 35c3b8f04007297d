import Foundation
import SagaEngine
import Synchronization

/// A clock tests move by hand; safe to read from the engine's tasks.
public final class ManualSagaClock: SagaClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_772_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
