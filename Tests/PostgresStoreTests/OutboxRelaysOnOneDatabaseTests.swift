import Foundation
import Logging
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
import SchedulerTesting
import Synchronization
import Testing

/// The outbox with several instances on one PostgreSQL database: a key's messages are
/// committed one after another, one relay publishes at a time, and another takes over when
/// its lease runs out; per key, messages go out in the order they were stored.
@Suite("PostgreSQL: the outbox with several relays")
struct OutboxRelaysOnOneDatabaseTests {
    static let logger = Logger(label: "test")

    static func message(_ id: String, key: String) -> OutboxMessage {
        OutboxMessage(id: id, topic: "events", key: key, payload: Data(id.utf8))
    }

    static func enqueue(_ messages: [OutboxMessage], in store: PostgresSagaStore) async throws {
        try await store.database.transaction { connection in
            try await PostgresSagaStore.enqueue(messages, sagaID: nil, at: Date(), on: connection, logger: logger)
        }
    }

    /// Records what it is given, and by which relay.
    final class Recorder: OutboxPublisher {
        let published = Mutex<[(relay: String, id: String, key: String)]>([])
        let name: String
        init(_ name: String, into shared: Recorder? = nil) {
            self.name = name
            sharedLog = shared
        }
        let sharedLog: Recorder?

        func publish(_ message: OutboxMessage) async throws {
            (sharedLog ?? self).published.withLock { $0.append((name, message.id, message.key)) }
        }
    }

    /// While a transaction that wrote a message of key k is open, a second writer of k waits
    /// for it, so a relay never sees the later message first; other keys are not held up.
    @Test func aKeysMessagesAreCommittedOneTransactionAfterAnother() async throws {
        let store = try await PostgresSagaStore(database: PostgresDatabase(url: try await PostgresTestServer.shared().newDatabase()))
        defer { store.database.close() }
        let (entered, enteredSignal) = AsyncStream<Void>.makeStream()
        let (release, releaseSignal) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await store.database.transaction { connection in
                try await PostgresSagaStore.enqueue([Self.message("m-1", key: "k")], sagaID: nil, at: Date(), on: connection, logger: Self.logger)
                enteredSignal.yield()
                for await _ in release { break }
            }
        }
        for await _ in entered { break }
        let secondDone = Atomic(false)
        let second = Task {
            try await Self.enqueue([Self.message("m-2", key: "k")], in: store)
            secondDone.store(true, ordering: .releasing)
        }
        try await Self.enqueue([Self.message("m-3", key: "other")], in: store)
        #expect(
            try await eventually(30) {
                if secondDone.load(ordering: .acquiring) { return true }
                let rows = try await store.database.query(
                    """
                    SELECT count(*) FROM pg_locks
                    WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """
                ).collect()
                return try rows.first?.decode(Int64.self) == 1
            })
        #expect(try await store.pendingOutbox(limit: 10).map(\.id) == ["m-3"], "m-2 waits for m-1's transaction")
        releaseSignal.yield()
        try await first.value
        try await second.value
        #expect(try await store.pendingOutbox(limit: 10).map(\.id) == ["m-1", "m-3", "m-2"])
    }

    /// Two instances' relays: the first to ask leads and publishes; the other gets nothing
    /// while that lease lives, and takes over once it has run out unrenewed (the leader died),
    /// or at once when the leader resigns (it stopped).
    @Test func oneRelayLeadsAndAnotherTakesOverWhenItsLeaseRunsOut() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let first = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        let second = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        defer { for store in [first, second] { store.database.close() } }
        let clock = ManualSagaClock()
        let log = Recorder("log")
        let outboxA = PostgresRelayOutbox(store: first, owner: "a", lease: .seconds(10), clock: clock)
        let outboxB = PostgresRelayOutbox(store: second, owner: "b", lease: .seconds(10), clock: clock)
        let relayA = OutboxRelay(store: outboxA, publisher: Recorder("a", into: log), clock: clock)
        let relayB = OutboxRelay(store: outboxB, publisher: Recorder("b", into: log), clock: clock)
        let keys = ["k1", "k2", "k3"]
        try await Self.enqueue((0..<30).map { Self.message("m-\($0)", key: keys[$0 % 3]) }, in: first)

        #expect(try await relayA.publishPending() == 30)
        #expect(try await relayB.publishPending() == 0, "a leads")
        try await Self.enqueue((30..<60).map { Self.message("m-\($0)", key: keys[$0 % 3]) }, in: second)
        #expect(try await relayB.publishPending() == 0, "a's lease still lives")
        clock.advance(by: 9)
        #expect(try await relayA.publishPending() == 30, "a renews as it publishes")
        try await Self.enqueue((60..<90).map { Self.message("m-\($0)", key: keys[$0 % 3]) }, in: first)
        clock.advance(by: 11)  // a stopped renewing
        #expect(try await relayB.publishPending() == 30, "b takes over")
        #expect(try await relayA.publishPending() == 0, "a no longer leads")
        // b stops and gives its lease up: a leads at its next look, with no wait.
        try await Self.enqueue((90..<120).map { Self.message("m-\($0)", key: keys[$0 % 3]) }, in: first)
        try await outboxA.resign()  // not the holder: nothing changes
        #expect(try await relayA.publishPending() == 0, "b still leads")
        try await outboxB.resign()
        #expect(try await relayA.publishPending() == 30, "a leads again at once")

        let published = log.published.withLock { $0 }
        #expect(published.map(\.relay) == Array(repeating: "a", count: 60) + Array(repeating: "b", count: 30) + Array(repeating: "a", count: 30))
        #expect(published.map(\.id) == (0..<120).map { "m-\($0)" }, "each once, in the order stored")
    }

    /// Writers on both instances store messages of ten keys at once while both instances'
    /// relays run: every message goes out once, and per key in the order the outbox stored it.
    @Test func concurrentWritersAndTwoRelaysKeepEachKeysOrder() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let stores = [
            try await PostgresSagaStore(database: PostgresDatabase(url: url)), try await PostgresSagaStore(database: PostgresDatabase(url: url)),
        ]
        defer { for store in stores { store.database.close() } }
        let log = Recorder("log")
        let relays = stores.enumerated().map { index, store in
            OutboxRelay(
                store: PostgresRelayOutbox(store: store, owner: "instance-\(index)", pollInterval: .milliseconds(5)),
                publisher: Recorder("\(index)", into: log),
                idleInterval: .milliseconds(5))
        }
        let running = relays.map { relay in Task { await relay.run() } }
        defer { for task in running { task.cancel() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for round in 0..<25 {
                        let id = "w\(writer)-\(round)"
                        try await Self.enqueue([Self.message(id, key: "k\((writer + round) % 10)")], in: stores[writer % 2])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await eventually(60) { log.published.withLock { $0.count } >= 200 })
        let published = log.published.withLock { $0 }
        #expect(Set(published.map(\.id)).count == 200 && published.count == 200, "each once")
        #expect(Set(published.map(\.relay)).count == 1, "one relay led throughout")
        let stored = try await stores[0].database.query("SELECT id, key FROM outbox ORDER BY sequence").collect()
        var storedOrder: [String: [String]] = [:]
        for row in stored {
            let (id, key) = try row.decode((String, String).self)
            storedOrder[key, default: []].append(id)
        }
        var publishedOrder: [String: [String]] = [:]
        for entry in published { publishedOrder[entry.key, default: []].append(entry.id) }
        #expect(publishedOrder == storedOrder)
    }

    /// A commit that writes outbox messages notifies every listening instance, once it has
    /// committed; a transaction that rolls back notifies nobody. Each wait below would last an
    /// hour without the notification: the time limit fails the test instead.
    @Test(.timeLimit(.minutes(3))) func aCommitOfMessagesWakesTheOtherInstances() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let listener = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        let writer = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        defer { for store in [listener, writer] { store.database.close() } }
        let notifications = PostgresOutboxNotifications(database: listener.database)
        await notifications.signal.wait(timeout: .seconds(3600))  // listening now
        try await Self.enqueue([Self.message("m-1", key: "k")], in: writer)
        await notifications.signal.wait(timeout: .seconds(3600))

        struct RolledBack: Error {}
        await #expect(throws: RolledBack.self) {
            try await writer.database.transaction { connection in
                try await PostgresSagaStore.enqueue([Self.message("m-2", key: "k")], sagaID: nil, at: Date(), on: connection, logger: Self.logger)
                throw RolledBack()
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        await notifications.signal.wait(timeout: .seconds(1))
        #expect(clock.now - started >= .seconds(1), "nothing was committed, so nothing woke the listener")
    }

    /// The leading relay, which would otherwise look once an hour, publishes what another
    /// instance commits.
    @Test(.timeLimit(.minutes(3))) func anIdleRelayPublishesWhatAnotherInstanceCommits() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let leader = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        let writer = try await PostgresSagaStore(database: PostgresDatabase(url: url))
        defer { for store in [leader, writer] { store.database.close() } }
        let log = Recorder("log")
        let relay = OutboxRelay(
            store: PostgresRelayOutbox(store: leader, owner: "a", pollInterval: .seconds(3600)), publisher: Recorder("a", into: log),
            idleInterval: .seconds(3600))
        let running = Task { await relay.run() }
        defer { running.cancel() }
        for index in 1...3 {
            try await Self.enqueue([Self.message("m-\(index)", key: "k")], in: writer)
            #expect(try await eventually(30) { log.published.withLock { $0.count } == index })
        }
        running.cancel()
        await running.value
    }
}
