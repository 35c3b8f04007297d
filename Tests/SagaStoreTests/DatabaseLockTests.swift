import Foundation
import GRDB
import SagaCore
import SagaStore
import SchedulerTesting
import Synchronization
import Testing

/// Another connection's write transaction (an operator's `scheduler sagas` command, a backup)
/// holds SQLite's write lock. Writes wait for it in SQLite's busy handler, which sleeps: on the
/// store's own writer thread, never on one of Swift's cooperative threads, which would stop
/// every other task of the process with it (there are as many as cores).
@Suite("Saga store while another connection holds the write lock")
struct DatabaseLockTests {
    @Test func writesWaitingForTheLockHoldNoCooperativeThread() async throws {
        let directory = try TemporaryDirectory(prefix: "saga-locked")
        defer { directory.remove() }
        let path = directory.path("sagas.sqlite")
        // More stores than cooperative threads: each has its own writer, so each write waits.
        // A long lock wait, so that only a blocked cooperative pool, not a slow machine, runs
        // out of it (the old batcher failed here after it with "database is locked").
        let stores = try (0..<(2 * ProcessInfo.processInfo.activeProcessorCount)).map { _ in try SagaStore(path: path, lockWait: 120) }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try other.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }

        let started = StartedWrites()
        let writes = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, store) in stores.enumerated() {
                    group.addTask {
                        started.count.add(1, ordering: .relaxed)
                        try await store.enqueue(OutboxMessage(id: "m\(index)", topic: "t", key: "k", payload: Data()), at: Date())
                    }
                }
                try await group.waitForAll()
            }
        }
        // Every write has begun and waits. Writes waiting on cooperative threads would keep
        // this loop from running until the lock wait ran out and the writes failed.
        while started.count.load(ordering: .relaxed) < stores.count { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        try other.inDatabase { try $0.execute(sql: "ROLLBACK") }

        try await writes.value
        #expect(try await stores[0].outboxBacklog() == stores.count)
    }
}

/// How many of the test's writes have begun.
private final class StartedWrites: Sendable {
    let count = Atomic<Int>(0)
}
