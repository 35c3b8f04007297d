import Foundation
import Logging
import PostgresStore
import SagaCore
import SagaEngine
import SchedulerTesting
import Synchronization
import Testing

/// The database goes away for a while (a restart, a failover) while the store is in use.
@Suite("PostgreSQL: the server away for a while")
struct ServerRestartTests {
    /// A write made while the server is down waits for it instead of failing: the connection
    /// pool keeps trying, and the write lands once the server is back. Nothing stored before is lost.
    @Test func aWriteDuringAnOutageWaitsForTheServer() async throws {
        let server = try await PostgresTestServer.startPrivate()
        let database = try PostgresDatabase(url: try await server.newDatabase())
        let store = try await PostgresSagaStore(database: database)
        try await store.insert(Sagas.started("before"))
        try await server.pause()
        let finished = Flag()
        let write = Task {
            defer { finished.raise() }
            _ = try await bounded { try await store.insert(Sagas.started("during")) }
        }
        try await Task.sleep(for: .seconds(1))  // the outage: the write is under way meanwhile
        #expect(!finished.isRaised, "no answer while the server is down")
        try await server.resume()
        try await write.value
        #expect(try await bounded { try await store.instance(id: "before") } != nil)
        #expect(try await bounded { try await store.instance(id: "during") } != nil, "stored once the server was back")
        database.close()
        try await server.stop()
    }

    /// A restart drops every connection the pool holds; the next writes reconnect.
    @Test func writesAfterARestartReconnect() async throws {
        let server = try await PostgresTestServer.startPrivate()
        let database = try PostgresDatabase(url: try await server.newDatabase())
        let store = try await PostgresSagaStore(database: database)
        try await store.insert(Sagas.started("before"))
        try await server.restart()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<10 { group.addTask { try await bounded { try await store.insert(Sagas.started("after-\(index)")) } } }
            try await group.waitForAll()
        }
        #expect(try await bounded { try await store.dueInstanceIDs(at: Sagas.epoch, limit: 100) }.count == 11)
        database.close()
        try await server.stop()
    }

    /// A restart drops the connection the relay listens on: it listens again and goes on
    /// publishing what is committed after the restart without waiting for its poll, which here
    /// would be an hour away (the time limit fails the test instead).
    @Test(.timeLimit(.minutes(3))) func aRelayListensAgainAfterARestart() async throws {
        let server = try await PostgresTestServer.startPrivate()
        let url = try await server.newDatabase()
        let leader = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        let writer = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        let published = Mutex<[String]>([])
        let relay = OutboxRelay(
            store: PostgresRelayOutbox(store: leader, owner: "a", pollInterval: .seconds(3600)),
            publisher: RecordingPublisher { message in published.withLock { $0.append(message.id) } }, retryBackoff: .milliseconds(100),
            idleInterval: .seconds(3600))
        let running = Task { await relay.run() }
        // A write that timed out is made again; the message's id makes it land once.
        func enqueue(_ id: String) async throws {
            try await bounded {
                try await writer.database.transaction { connection in
                    try await PostgresSagaStore.enqueue(
                        [OutboxMessage(id: id, topic: "events", key: "k", payload: Data(id.utf8))], sagaID: nil, at: Date(),
                        on: connection, logger: Logger(label: "test"))
                }
            }
        }
        try await enqueue("before")
        #expect(try await eventually(30) { published.withLock { $0 } == ["before"] })
        // Marked published before the restart: a mark that the restart interrupts leaves the
        // message pending, and the relay sends it again (at least once), which is not what
        // this test is about.
        #expect(try await eventually(30) { try await withDeadline(.seconds(5)) { try await writer.pendingOutbox(limit: 10).isEmpty } })
        try await server.restart()
        for index in 1...3 {
            try await enqueue("after-\(index)")
            #expect(try await eventually(60) { published.withLock { $0.count } == index + 1 })
        }
        #expect(published.withLock { $0 } == ["before", "after-1", "after-2", "after-3"])
        running.cancel()
        await running.value
        for store in [leader, writer] { store.database.close() }
        try await server.stop()
    }
}

/// `operation` run as the service runs its database calls: each attempt bounded, and one that
/// timed out made again (for operations that may be repeated). A query written to a
/// connection that a stopping server is closing can go unanswered in postgres-nio (see
/// `withDeadline`), and a test's time limit cannot end a call that never returns: two full
/// runs hung here for ten minutes on a bare `insert`.
func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    var attempt = 1
    while true {
        do {
            return try await withDeadline(.seconds(10), operation)
        } catch is DeadlineExceeded where attempt < 5 {
            attempt += 1
        }
    }
}

/// Hands each message to `record`.
struct RecordingPublisher: OutboxPublisher {
    let record: @Sendable (OutboxMessage) -> Void

    func publish(_ message: OutboxMessage) async throws {
        record(message)
    }
}

/// Sagas in flight on several instances while the server restarts.
@Suite("PostgreSQL: the engine across server restarts")
struct EngineAcrossARestartTests {
    /// Two instances run 20 sagas in real time. The server restarts twice: while the sagas
    /// act, and while their replies arrive. Every saga completes, none is failed or undone
    /// because the database was away for a moment, and each step ran under its own key (once,
    /// or repeated with that key when its outcome was lost).
    @Test(.timeLimit(.minutes(3))) func sagasInFlightCompleteAcrossRestarts() async throws {
        let server = try await PostgresTestServer.startPrivate()
        let fixture = try await EngineOnBackend.open(
            .postgres, engines: 2, lease: .seconds(5), clock: SystemWallClock(), url: try await server.newDatabase())
        let ids = (0..<20).map { "s\($0)" }
        let running = fixture.engines.map { engine in Task { try await engine.run() } }
        defer {
            for task in running { task.cancel() }
            fixture.close()
        }
        func statuses() async throws -> [SagaStatus?] {
            var statuses: [SagaStatus?] = []
            for id in ids { statuses.append(try await bounded { try await fixture.engine.storedInstance(id)?.status }) }
            return statuses
        }
        for (index, id) in ids.enumerated() {
            try await fixture.engines[index % 2].start(type: "booking", id: id, partitionKey: "cand-\(index)", data: [:])
        }
        try await server.restart()
        #expect(try await eventually(90) { try await statuses().allSatisfy { $0 == .waiting } })

        // Replies are delivered as the consumer would: one that fails (the database away, its
        // saga moved meanwhile by the other reply) is delivered again.
        async let restarted: Void = server.restart()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, id) in ids.enumerated() {
                for reply in 0..<2 {
                    let engine = fixture.engines[(index + reply) % 2]
                    group.addTask {
                        while (try? await engine.deliver(EngineOnBackend.reply(id, id: "\(id)-r\(reply)"))) == nil {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await restarted
        #expect(try await eventually(90) { try await statuses().allSatisfy { $0 == .completed } })

        for id in ids {
            let instance = try #require(try await fixture.engine.storedInstance(id))
            #expect(instance.status == .completed, "\(id): \(instance.status) \(instance.lastError?.message ?? "")")
        }
        for handler in ["reserve", "record", "book", "notify"] {
            let keys = Set(fixture.world.calls(of: handler).map { $0.split(separator: " ")[1] })
            #expect(keys.count == ids.count, "\(handler): one key per saga")
        }
        #expect(fixture.world.calls(of: "release").isEmpty && fixture.world.calls(of: "cancel").isEmpty, "nothing undone")
        #expect(try await fixture.notes() == ids.sorted())
        for id in ids {
            let succeeded = try await fixture.engine.outcomes(id).filter { $0.hasSuffix(":succeeded") }
            #expect(succeeded.count == Set(succeeded).count, "\(id): a step's success recorded twice: \(succeeded)")
        }
        for task in running {
            task.cancel()
            _ = await task.result
        }
        try await server.stop()
    }
}
