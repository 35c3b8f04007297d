import Foundation
import GRDB
import SchedulerTesting
import Testing

/// Kills a process running 200 sagas with SIGKILL at random moments, restarts it each
/// time, and checks that nothing was lost, duplicated or left half done.
@Suite("Saga crash recovery")
struct CrashRecoveryTests {
    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() async throws {
        let directory = try TemporaryDirectory(prefix: "saga-crash")
        defer { directory.remove() }
        let harness = BuiltProducts.executable("SagaCrashHarness")
        let sagaCount = 200
        var random = SystemRandomNumberGenerator()
        var kills = 0
        var settledEarly = false
        while kills < 20 {
            let process = try SpawnedProcess(executable: harness, arguments: [directory.url.path, "\(sagaCount)"], standardError: .inherit)
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...250, using: &random)))
            if process.isRunning {
                process.send(SIGKILL)
                kills += 1
            } else {
                settledEarly = true
            }
            await process.exit()
            if settledEarly { break }
        }
        #expect(kills >= 20 || settledEarly)
        // A last, uninterrupted run finishes whatever is left.
        let final = try await ChildProcess(executable: harness, arguments: [directory.url.path, "\(sagaCount)"]).run()
        #expect(final.status == 0, "\(final.standardError)")

        let sagas = try DatabaseQueue(path: directory.path("sagas.sqlite"))
        let external = try DatabaseQueue(path: directory.path("external.sqlite"))
        let statuses = try await sagas.read { db in
            try Row.fetchAll(db, sql: "SELECT id, status FROM saga_instance").reduce(into: [String: String]()) { $0[$1["id"]] = $1["status"] }
        }
        #expect(statuses.count == sagaCount, "no saga lost or duplicated")
        var expectedEffects = Set<String>()
        for index in 0..<sagaCount {
            let id = "saga-\(index)"
            if index % 5 == 0 {
                #expect(statuses[id] == "compensated", "\(id)")
                expectedEffects.formUnion(["\(id):debit", "\(id):reserve", "\(id):reserve:compensate", "\(id):debit:compensate"])
            } else {
                #expect(statuses[id] == "completed", "\(id)")
                expectedEffects.formUnion(["\(id):debit", "\(id):reserve", "\(id):confirm"])
            }
        }
        let effects = try await external.read { db in Set(try String.fetchAll(db, sql: "SELECT key FROM effects")) }
        #expect(effects == expectedEffects, "every side effect happened, once per key")
        let calls = try await external.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM calls") ?? 0 }
        #expect(calls >= effects.count)

        let outbox = try await sagas.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM outbox")) }
        let published = try await external.read { db in Set(try String.fetchAll(db, sql: "SELECT message_id FROM published")) }
        #expect(outbox.count == sagaCount * 3 - sagaCount / 5, "one message per successful action")
        #expect(outbox.isSubset(of: published), "every outbox message was published at least once")
        print("crash test: \(kills) kills, \(calls) external calls for \(effects.count) effects (\(calls - effects.count) repeats recognised by key)")
    }
}
