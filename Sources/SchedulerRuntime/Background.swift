import ServiceLifecycle
import Synchronization

/// A loop run as a lifecycle service. On graceful shutdown `onShutdown` starts (to close a
/// consumer, say, so that the loop ends by itself), or else the loop is cancelled. The
/// service ends once the loop has returned, `onShutdown` has finished, and `afterShutdown`
/// (a final flush) has run: a process never exits in the middle of a final commit.
///
/// When the group is cancelled instead (another service failed, the HTTP port was taken),
/// `onShutdown` starts too: a loop that waits for a consumer does not notice cancellation,
/// and without it the process would keep consuming with nothing else running, never to exit.
struct Background: Service {
    let name: String
    let onShutdown: (@Sendable () async -> Void)?
    let afterShutdown: (@Sendable () async -> Void)?
    let body: @Sendable () async throws -> Void

    init(
        _ name: String, onShutdown: (@Sendable () async -> Void)? = nil, afterShutdown: (@Sendable () async -> Void)? = nil,
        _ body: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.onShutdown = onShutdown
        self.afterShutdown = afterShutdown
        self.body = body
    }

    func run() async throws {
        if let onShutdown {
            let stopping = Mutex<Task<Void, Never>?>(nil)
            let stop = { @Sendable in
                stopping.withLock { task in
                    if task == nil { task = Task { await onShutdown() } }
                }
            }
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await body()
                } onGracefulShutdown: {
                    stop()
                }
            } onCancel: {
                stop()
            }
            await stopping.withLock { $0 }?.value
        } else {
            try await cancelWhenGracefulShutdown { try await body() }
        }
        await afterShutdown?()
    }
}
