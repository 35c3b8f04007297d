import Foundation
import PostgresNIO
import PostgresStore
import SchedulerTestScopes
import SchedulerTesting
import Testing

/// `scheduler sagas` against a PostgreSQL database while a `serve` instance runs on it: what
/// the operator's command writes, the running instance carries out.
@Suite("Operator commands beside a running instance", .serialized, .runsAfterTestWork)
struct OperatorBesideInstancesTests {
    typealias Chaos = SeveralInstancesChaosTests

    /// One `serve` on a new database of the shared test server, stopped after the test.
    static func oneInstance() async throws -> (ServiceProcesses, URL, (process: BackgroundProcess, port: Int)) {
        let system = try await ServiceProcesses()
        let url = try await PostgresTestServer.shared().newDatabase()
        let instance = try #require(try await Chaos.startInstances(1, on: url, system).first)
        afterTest {
            await instance.process.stop()
            await system.stopAll()
        }
        return (system, url, instance)
    }

    @Test(.timeLimit(.minutes(3))) func anAbortFromTheCommandLineIsCarriedOutByTheRunningInstance() async throws {
        let (system, url, instance) = try await Self.oneInstance()
        // No responder: the request waits for availability until the operator steps in.
        let requestID = try #require(try await Chaos.burst(1, through: [instance.port], system).first)
        let cli = BuiltProducts.executable("scheduler")
        let location = ["--database-url", url.absoluteString, "--sagas", BuiltProducts.repositoryRoot.appendingPathComponent("sagas").path]
        var listed = ""
        let waiting = try await eventually(60) {
            listed = try await ChildProcess(executable: cli, arguments: ["sagas", "list", "--state", "waiting"] + location).run().standardOutput
            return listed.contains(requestID)
        }
        try #require(waiting, "the request waits for availability: \(listed)")

        let aborted = try await ChildProcess(
            executable: cli, arguments: ["sagas", "abort", requestID, "--reason", "duplicate request", "--by", "ops@example.com"] + location
        ).run()
        #expect(aborted.status == 0, "\(aborted.standardError)")
        var state: [String: Any] = [:]
        let undone = try await eventually(60) {
            state = (try? await Chaos.call(system, instance.port, "GET", "/api/v1/scheduling-requests/\(requestID)").json) ?? [:]
            return state["state"] as? String == "cancelled"
        }
        #expect(undone, "the instance undid the request: \(state)")
        let shown = try await ChildProcess(executable: cli, arguments: ["sagas", "show", requestID, "--json"] + location).run()
        let timeline = try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any]
        let log = timeline?["log"] as? [[String: Any]] ?? []
        #expect(log.contains { $0["outcome"] as? String == "aborted" && $0["actor"] as? String == "ops@example.com" }, "\(log)")
        #expect((timeline?["saga"] as? [String: Any])?["status"] as? String == "compensated")
    }

    /// A database restart ends the instance's session and with it the lock on its name; here
    /// another holder is queued for the name at that moment (one statement ends the session and
    /// waits for the lock, which the server grants it as the session ends). The instance finds
    /// its name taken at its next look and stops, naming the setting.
    @Test(.timeLimit(.minutes(3))) func anInstanceWhoseNameWasTakenWhileItsSessionWasGoneStops() async throws {
        let (system, url, instance) = try await Self.oneInstance()
        let twin = try PostgresStore.PostgresDatabase(url: url, maximumConnections: 1)
        defer { twin.close() }
        let taken = try await twin.query(
            """
            SELECT pg_advisory_lock(\(Int32(0x69_6E73)), hashtext('instance-0')) FROM (
                SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = \(0x69_6E73) AND granted
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS ended
            """
        ).collect()
        #expect(taken.count == 1, "the instance's session held the name")
        let process = instance.process
        #expect(try await eventually(60) { !process.process.isRunning }, "the instance stops")
        let status = await process.stop()
        #expect(status == 1, "it \(process.ending(status))")
        let log = (try? String(contentsOfFile: system.directory.path("service-0.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("SCHEDULER_INSTANCE_ID") && log.contains("another instance took the name"), "\(log.suffix(800))")
    }
}
