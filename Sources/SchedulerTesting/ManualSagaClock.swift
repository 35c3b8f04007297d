package import Foundation
import SagaCore
import SagaEngine
import Synchronization

/// A clock tests move by hand; safe to read from the engine's tasks.
package final class ManualSagaClock: WallClock {
    private let current: Mutex<Date>

    package init(_ start: Date = Date(timeIntervalSince1970: 1_772_000_000)) {
        current = Mutex(start)
    }

    package func now() -> Date {
        current.withLock { $0 }
    }

    package func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
