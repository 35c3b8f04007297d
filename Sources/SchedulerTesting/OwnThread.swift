import Foundation

/// Runs `body`, which blocks (waiting for a child's exit or output), on a thread of its own,
/// so that no cooperative thread waits: the pool has one per core, and tests run side by side.
package func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
