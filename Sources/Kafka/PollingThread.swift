import Foundation
import Synchronization

/// A dedicated thread that calls a blocking poll function until stopped. librdkafka's
/// polls block, so they get a thread of their own instead of one from Swift's cooperative pool.
final class PollingThread: Sendable {
    private final class Flag: Sendable {
        let running = Atomic<Bool>(true)
    }

    private let flag = Flag()
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, poll: @escaping @Sendable () -> Void) {
        let thread = Thread { [flag, finished] in
            while flag.running.load(ordering: .acquiring) { poll() }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the loop and waits for the thread to leave it.
    func stop() {
        guard flag.running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
    }
}
