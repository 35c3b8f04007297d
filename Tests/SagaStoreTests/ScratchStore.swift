import SagaStore
import SchedulerTesting

/// Runs `body` on a new saga store in a temporary directory of its own, removed afterwards.
func withScratchStore<T>(_ body: (SagaStore) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory(prefix: "saga-store")
    defer { directory.remove() }
    return try await body(try SagaStore(path: directory.path("sagas.sqlite")))
}
