import Synchronization
package import Testing

/// Work a test registered to run when it ends, awaited, in reverse order, also when the test
/// threw. For async clean-up (a service's graceful stop, a Kafka client's close) that a
/// `defer` could only run synchronously, holding one of the cooperative pool's threads (one
/// per core) while the tests beside it wait.
final class AfterTestWork: Sendable {
    @TaskLocal static var current: AfterTestWork?
    private let work = Mutex<[@Sendable () async -> Void]>([])

    func add(_ item: @escaping @Sendable () async -> Void) {
        work.withLock { $0.append(item) }
    }

    func runAll() async {
        for item in work.withLock({ $0.reversed() }) { await item() }
    }
}

/// Gives each test of a suite its own `afterTest` list, run when the test ends.
package struct RunsAfterTestWork: SuiteTrait, TestTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let work = AfterTestWork()
        try await AfterTestWork.$current.withValue(work) {
            do {
                try await function()
            } catch {
                await work.runAll()
                throw error
            }
            await work.runAll()
        }
    }
}

extension Trait where Self == RunsAfterTestWork {
    /// Runs what each test hands to `afterTest` when that test ends.
    package static var runsAfterTestWork: Self { Self() }
}

/// Runs `work` when the current test ends (its suite needs `.runsAfterTestWork`): the async
/// `defer`.
package func afterTest(sourceLocation: SourceLocation = #_sourceLocation, _ work: @escaping @Sendable () async -> Void) {
    guard let list = AfterTestWork.current else {
        Issue.record("afterTest outside a suite marked .runsAfterTestWork: the work would never run", sourceLocation: sourceLocation)
        return
    }
    list.add(work)
}
