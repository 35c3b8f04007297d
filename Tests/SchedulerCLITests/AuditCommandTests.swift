import Foundation
import InterviewScheduling
import PostgresStore
import SagaStore
import SchedulerTesting
import Testing

/// `scheduler audit` over a database the service wrote.
@Suite("scheduler audit")
struct AuditCommandTests {
    static let entries = [
        AuditEntry(
            actor: "recruiter@example.com", action: "scheduling-request.create", target: "req-1", detail: "candidate cand-7", at: 1_780_000_000),
        AuditEntry(
            actor: "dpo@example.com", action: "candidate.erasure", target: "cand-7", detail: "requests: 1, sagas: 2, interviews: 1",
            at: 1_780_000_600),
    ]

    @Test func anOperatorSeesErasuresWithoutWhatWasErased() async throws {
        let directory = try TemporaryDirectory(prefix: "audit-cli")
        defer { directory.remove() }
        let store = try ServiceDatabase.open(path: directory.path("sagas.sqlite"))
        try await store.write { db in
            for entry in Self.entries { try InterviewRecords.append(entry, in: db) }
        }
        try await expectErasuresListed(location: ["--database", directory.path("sagas.sqlite")])
    }

    @Test func onPostgreSQLTheSameLogIsRead() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let database = try PostgresDatabase(url: url, maximumConnections: 2)
        defer { database.close() }
        let store = try await PostgresServiceDatabase.open(database)
        let tables = PostgresInterviewTables()
        try await store.database.transaction { connection in
            for entry in Self.entries { try await tables.append(entry, in: connection) }
        }
        try await expectErasuresListed(location: ["--database-url", url.absoluteString])
    }

    func expectErasuresListed(location: [String]) async throws {
        let scheduler = BuiltProducts.executable("scheduler")
        let erasures = try await ChildProcess(executable: scheduler, arguments: ["audit", "--action", "candidate.erasure", "--json"] + location).run()
        #expect(erasures.status == 0, "\(erasures.standardError)")
        let rows = try JSONSerialization.jsonObject(with: Data(erasures.standardOutput.utf8)) as? [[String: String]]
        #expect(rows?.count == 1)
        #expect(rows?.first?["actor"] == "dpo@example.com" && rows?.first?["target"] == "cand-7" && rows?.first?["at"] == "2026-05-28T20:36:40Z")
        let all = try await ChildProcess(executable: scheduler, arguments: ["audit"] + location).run()
        #expect(all.standardOutput.split(separator: "\n").map { $0.contains("candidate.erasure") } == [true, false], "newest first")
    }
}
