package import Foundation
import Synchronization

/// A private PostgreSQL server for the tests of one test process (`scripts/postgres-server.sh`):
/// started on first use, in a temporary directory on a free loopback port, stopped when the
/// process exits. Each test asks for a database of its own.
///
/// In a full test run the PostgreSQL tests' own work begins late: the server starts about
/// 15 s into the run, and some forty tests then ask for their databases at once, which the
/// server creates one at a time (about 10 s for the last). Their time limits (3 minutes or more) are
/// guards against a hang and leave room for that; CI saw 1-minute limits exceeded by tests
/// whose work took a few seconds.
package final class PostgresTestServer: Sendable {
    package let port: Int
    package let directory: TemporaryDirectory

    private static let starting = StartOnce()

    /// The process's server, started by the first caller.
    package static func shared() async throws -> PostgresTestServer {
        try await starting.server()
    }

    private init() async throws {
        directory = try TemporaryDirectory(prefix: "postgres")
        port = try FreePort.next()
        stopAtExit(directory.url.path)  // first: a start that fails after the server came up must not leak it
        try await Self.script(["start", directory.url.path, "\(port)"])
    }

    /// A server of the caller's own, for a test that restarts or stops it; `stop()` it at the end.
    package static func startPrivate() async throws -> PostgresTestServer {
        try await PostgresTestServer()
    }

    /// Stops the server and removes its files.
    package func stop() async throws {
        try await Self.script(["stop", directory.url.path])
        forgetAtExit(directory.url.path)
        directory.remove()
    }

    /// A new, empty database; its URL (`postgres://postgres@127.0.0.1:<port>/<name>`).
    package func newDatabase() async throws -> URL {
        let name = "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        try await psql("CREATE DATABASE \(name)")
        guard let url = URL(string: "postgres://postgres@127.0.0.1:\(port)/\(name)") else { throw TestServerError("bad database URL") }
        return url
    }

    /// Runs `sql` as the superuser in the `postgres` database; its output, unaligned.
    @discardableResult
    package func psql(_ sql: String, database: String = "postgres") async throws -> String {
        let result = try await ChildProcess(
            executable: ChildProcess.onPath("psql"),
            arguments: ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql]
        ).run()
        guard result.status == 0 else { throw TestServerError("psql \(sql): \(result.standardError)") }
        return result.standardOutput
    }

    /// Stops the server and starts it again on the same data: clients see their connections drop.
    package func restart() async throws {
        try await Self.script(["restart", directory.url.path])
    }

    /// Stops the server, keeping its data: clients cannot connect until `resume()`.
    package func pause() async throws {
        try await Self.script(["stop", directory.url.path])
    }

    /// Starts a paused server again, on the same port and data.
    package func resume() async throws {
        try await Self.script(["start", directory.url.path, "\(port)"])
    }

    private static func script(_ arguments: [String]) async throws {
        let script = BuiltProducts.repositoryRoot.appendingPathComponent("scripts/postgres-server.sh")
        let result = try await ChildProcess(executable: URL(fileURLWithPath: "/bin/bash"), arguments: [script.path] + arguments).run()
        guard result.status == 0 else { throw TestServerError("postgres-server.sh \(arguments.joined(separator: " ")): \(result.standardError)") }
    }

    /// Starts the server once, whoever asks first; later callers wait for that start.
    private actor StartOnce {
        private var started: Task<PostgresTestServer, any Error>?

        func server() async throws -> PostgresTestServer {
            if let started { return try await started.value }
            let start = Task { try await PostgresTestServer() }
            started = start
            return try await start.value
        }
    }
}

/// The data directories of the servers to stop when the process exits.
private let serversToStop = Mutex<[String]>([])
private let stopAllAtExit: Void = {
    atexit {
        for directory in serversToStop.withLock({ $0 }) {
            let script = BuiltProducts.repositoryRoot.appendingPathComponent("scripts/postgres-server.sh").path
            let stop = try? SpawnedProcess(
                executable: URL(fileURLWithPath: "/bin/bash"), arguments: [script, "stop", directory], standardOutput: .inherit,
                standardError: .inherit)
            stop?.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}()

private func stopAtExit(_ directory: String) {
    stopAllAtExit
    serversToStop.withLock { $0.append(directory) }
}

private func forgetAtExit(_ directory: String) {
    serversToStop.withLock { $0.removeAll { $0 == directory } }
}
