import Dispatch

/// A thread of its own for blocking work (file writes, a libcurl transfer), so that it never
/// holds one of the cooperative pool's few threads. Work runs one item at a time, in order.
package final class SerialWorkQueue: Sendable {
    private let queue: DispatchQueue

    package init(label: String) {
        queue = DispatchQueue(label: label)
    }

    package func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
