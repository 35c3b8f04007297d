import Foundation
import PostgresStore
import SagaCore
import SchedulerTesting
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
}
