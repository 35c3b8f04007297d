import Foundation
import Logging
import PostgresNIO
import PostgresStore
import SagaCore
import SchedulerTesting
import Synchronization
import Testing

/// Several service instances on one PostgreSQL database: each here is a store with its own
/// connection pool, as a separate process would have.
@Suite("PostgreSQL: several instances on one database")
struct SeveralInstancesTests {
    /// Opens `count` instances on one new database, all at once.
    static func instances(_ count: Int, on url: URL? = nil) async throws -> (stores: [PostgresSagaStore], url: URL) {
        let url = try await { if let url { url } else { try await PostgresTestServer.shared().newDatabase() } }()
        let stores = try await withThrowingTaskGroup(of: PostgresSagaStore.self) { group in
            for _ in 0..<count { group.addTask { try await PostgresSagaStore(database: PostgresDatabase(url: url)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        return (stores, url)
    }

    @Test func instancesStartingTogetherMigrateOnce() async throws {
        let (stores, url) = try await Self.instances(3)
        defer { for store in stores { store.database.close() } }
        let server = try await PostgresTestServer.shared()
        let database = url.lastPathComponent
        let names = try await server.psql("SELECT name FROM schema_migrations ORDER BY name", database: database)
        #expect(
            names.split(separator: "\n") == [
                "v1: saga instances, step log, outbox, inbox", "v2: aborts are recorded as such, not as permanent failures",
                "v3 (PostgreSQL): leases on saga work", "v4 (PostgreSQL): the outbox relay's lease",
                "v5 (PostgreSQL): an index on leases",
            ])
        // A database migrated by a newer build is refused, naming the step it does not know.
        try await server.psql("INSERT INTO schema_migrations (name) VALUES ('v9: from the future')", database: database)
        let refusal = await #expect(throws: UnknownMigrations.self) { try await Self.instances(1, on: url) }
        #expect(refusal?.names == ["v9: from the future"])
    }

    /// Three instances claim 60 due sagas at once, a few at a time: every saga is claimed, and
    /// by exactly one of them.
    @Test func claimersSplitDueWorkWithoutOverlap() async throws {
        let (stores, _) = try await Self.instances(3)
        defer { for store in stores { store.database.close() } }
        for index in 0..<60 { try await stores[0].insert(Sagas.started("s\(index)")) }
        let claims = try await withThrowingTaskGroup(of: [String].self) { group in
            for (number, store) in stores.enumerated() {
                group.addTask {
                    var mine: [String] = []
                    for _ in 0..<60 {  // bounded: a claim that took leased rows again would never run dry
                        let claimed = try await store.claimDueWork(owner: "instance-\(number)", at: Sagas.epoch, for: .seconds(30), limit: 7)
                        if claimed.isEmpty { break }
                        mine += claimed
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let all = claims.flatMap { $0 }
        #expect(all.count == 60 && Set(all).count == 60, "each saga claimed once: \(claims.map(\.count))")
        #expect(try await stores[1].dueInstanceIDs(at: Sagas.epoch, limit: 100).isEmpty, "leased work is not due for anyone")
    }

    /// While one instance holds some due sagas' rows (mid-claim), another's claim takes the
    /// rest at once instead of waiting for them: claimers never queue behind each other.
    @Test func aClaimSkipsRowsAnotherClaimerIsTakingInsteadOfWaiting() async throws {
        let (stores, _) = try await Self.instances(2)
        defer { for store in stores { store.database.close() } }
        let (holder, claimer) = (stores[0], stores[1])
        for index in 0..<60 { try await holder.insert(Sagas.started("s\(index)")) }
        let held = (0..<10).map { "s\($0)" }
        let finished = Flag()
        let claim = try await holder.database.transaction { connection in
            try await connection.query("SELECT id FROM saga_instance WHERE id = ANY(\(held)) FOR UPDATE", logger: Logger(label: "test"))
            let claim = Task {
                defer { finished.raise() }
                return try await claimer.claimDueWork(owner: "b", at: Sagas.epoch, for: .seconds(30), limit: 100)
            }
            #expect(try await eventually(60) { finished.isRaised }, "the claim returned while the rows were held")
            return claim
        }
        let claimed = try await claim.value
        #expect(Set(claimed) == Set((10..<60).map { "s\($0)" }))
    }

    /// An instance migrating while another holds the migration lock waits for it (it would
    /// otherwise create the tables beside the other's half-done migration).
    @Test func aMigrationWaitsForTheInstanceMigratingFirst() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.newDatabase()
        let holder = try PostgresDatabase(url: url)
        defer { holder.close() }
        let opened = try await holder.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrator.lockKey))", logger: Logger(label: "test"))
            let opening = Task { try await PostgresSagaStore(database: PostgresDatabase(url: url)) }
            let waiting = try await eventually(60) {
                try await server.psql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'",
                    database: url.lastPathComponent) == "1\n"
            }
            #expect(waiting, "the second instance waits on the migration lock")
            return opening
        }
        let store = try await opened.value
        store.database.close()
        #expect(try await server.psql("SELECT count(*) FROM schema_migrations", database: url.lastPathComponent) == "5\n")
    }

    /// An instance stops renewing (it died): once its lease runs out another claims the saga,
    /// and the dead instance's late write is refused by the version, not stored.
    @Test func anExpiredLeaseIsTakenOverAndTheOldOwnersLateWriteIsRefused() async throws {
        let (stores, _) = try await Self.instances(2)
        defer { for store in stores { store.database.close() } }
        let (first, second) = (stores[0], stores[1])
        let start = Sagas.started("s-1")
        try await first.insert(start)
        let t0 = Sagas.epoch
        #expect(try await first.claimDueWork(owner: "a", at: t0, for: .seconds(30), limit: 10) == ["s-1"])
        let seenByFirst = try #require(try await first.instance(id: "s-1"))  // as the first owner works on it
        #expect(try await second.claimDueWork(owner: "b", at: t0.addingTimeInterval(29), for: .seconds(30), limit: 10).isEmpty)
        #expect(try await first.renewLease(on: "s-1", owner: "a", at: t0.addingTimeInterval(10), for: .seconds(30)))
        #expect(try await second.claimDueWork(owner: "b", at: t0.addingTimeInterval(39), for: .seconds(30), limit: 10).isEmpty, "renewed to 40 s")
        #expect(try await second.claimDueWork(owner: "b", at: t0.addingTimeInterval(41), for: .seconds(30), limit: 10) == ["s-1"])
        #expect(try await first.lease(on: "s-1")?.owner == "b")
        #expect(try await first.renewLease(on: "s-1", owner: "a", at: t0.addingTimeInterval(42), for: .seconds(30)) == false)
        // The old owner's late write is refused before the new owner has written anything, and after.
        let claimed = try #require(try await second.instance(id: "s-1"))
        #expect(claimed.version == seenByFirst.version + 1, "the takeover moved the version on")
        await #expect(throws: StaleSagaWrite.self) { try await first.commit(Sagas.begin(seenByFirst, at: t0.addingTimeInterval(42))) }
        let moved = try await second.commit(Sagas.begin(claimed, at: t0.addingTimeInterval(42)))
        await #expect(throws: StaleSagaWrite.self) { try await first.commit(Sagas.begin(seenByFirst, at: t0.addingTimeInterval(43))) }
        #expect(try await first.instance(id: "s-1") == moved)
        try await second.releaseLease(on: "s-1", owner: "b")
        #expect(try await first.lease(on: "s-1") == nil)
    }
}

/// Set once, read from any task.
final class Flag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// `SCHEDULER_DATABASE_URL`-style URLs, as the store reads them.
@Suite("PostgreSQL database URLs")
struct PostgresURLTests {
    @Test func aPercentEncodedPasswordReachesTheServerDecoded() throws {
        let url = try #require(URL(string: "postgres://sched%40ops:p%40ss%3Aw%2Frd%25@db.internal:6432/interviews"))
        let configuration = try PostgresClient.Configuration(url: url)
        #expect(configuration.username == "sched@ops" && configuration.password == "p@ss:w/rd%")
        #expect(configuration.host == "db.internal" && configuration.port == 6432 && configuration.database == "interviews")
        #expect(!url.redactingPassword.contains("p%40ss"), "\(url.redactingPassword)")
    }

    @Test(arguments: [
        ("mysql://u@h/db", "scheme"), ("postgres://u@h/", "no database name"), ("postgres://h/db", "no user"),
        ("postgres://u@h/db?sslmode=require", "query parameters"),
    ])
    func aURLThatCannotBeUsedIsRefusedNamingThePart(text: String, named: String) throws {
        let url = try #require(URL(string: text))
        let refusal = #expect(throws: PostgresURLError.self) { try PostgresClient.Configuration(url: url) }
        #expect(refusal?.description.contains(named) == true, "\(String(describing: refusal))")
    }
}
