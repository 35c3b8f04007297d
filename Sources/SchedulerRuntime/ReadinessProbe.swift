import Synchronization

/// Answers "is the dependency reachable" for any number of concurrent callers with at most
/// one check in flight, and reuses an answer younger than `freshness`: an unauthenticated
/// flood of `/health/ready` cannot pile up blocked metadata requests.
final class ReadinessProbe: Sendable {
    private struct State {
        var running: Task<Bool, Never>?
        var last: (at: ContinuousClock.Instant, reachable: Bool)?
    }

    private let state = Mutex(State())
    private let freshness: Duration
    private let check: @Sendable () async -> Bool

    init(freshness: Duration = .seconds(1), check: @escaping @Sendable () async -> Bool) {
        self.freshness = freshness
        self.check = check
    }

    func reachable() async -> Bool {
        enum Next {
            case known(Bool)
            case waitFor(Task<Bool, Never>)
        }
        let next: Next = state.withLock { state in
            if let last = state.last, ContinuousClock.now - last.at < freshness { return .known(last.reachable) }
            if let running = state.running { return .waitFor(running) }
            let running = Task { [check] in await check() }
            state.running = running
            return .waitFor(running)
        }
        switch next {
        case .known(let reachable):
            return reachable
        case .waitFor(let task):
            let reachable = await task.value
            state.withLock { state in
                guard state.running == task else { return }
                state.running = nil
                state.last = (ContinuousClock.now, reachable)
            }
            return reachable
        }
    }
}
