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
            return try await store.insert(Sagas.started("during"))
        }
        try await Task.sleep(for: .seconds(1))  // the outage: the write is under way meanwhile
        #expect(!finished.isRaised, "no answer while the server is down")
        try await server.resume()
        #expect(try await write.value, "stored once the server was back")
        #expect(try await store.instance(id: "before") != nil)
        #expect(try await store.instance(id: "during") != nil)
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
            for index in 0..<10 { group.addTask { try await store.insert(Sagas.started("after-\(index)")) } }
            for try await inserted in group { #expect(inserted) }
        }
        #expect(try await store.dueInstanceIDs(at: Sagas.epoch, limit: 100).count == 11)
        database.close()
        try await server.stop()
    }

    /// A restart drops the connection the relay listens on: it listens again and goes on
    /// publishing what is committed after the restart without waiting for its poll, which here
    /// would be an hour away (the time limit fails the test instead).
    @Test(.timeLimit(.minutes(2))) func aRelayListensAgainAfterARestart() async throws {
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
        func enqueue(_ id: String) async throws {
            try await writer.database.transaction { connection in
                try await PostgresSagaStore.enqueue(
                    [OutboxMessage(id: id, topic: "events", key: "k", payload: Data(id.utf8))], sagaID: nil, at: Date(), on: connection,
                    logger: Logger(label: "test"))
            }
        }
        try await enqueue("before")
        #expect(try await eventually(30) { published.withLock { $0 } == ["before"] })
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

/// Hands each message to `record`.
struct RecordingPublisher: OutboxPublisher {
    let record: @Sendable (OutboxMessage) -> Void

    func publish(_ message: OutboxMessage) async throws {
        record(message)
    }
}
