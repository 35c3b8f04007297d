package import Foundation
package import Logging
package import PostgresNIO
import Synchronization

/// One PostgreSQL database, reached through a pool of connections that runs for as long as
/// this object lives (`close()` ends it sooner). Several service instances open the same one.
package final class PostgresDatabase: Sendable {
    package let client: PostgresClient
    package let logger: Logger
    private let running: Task<Void, Never>

    /// Connects lazily to the database `url` names: `postgres://user[:password]@host[:port]/database`.
    package init(url: URL, maximumConnections: Int = 20, logger: Logger = Logger(label: "postgres")) throws {
        var configuration = try PostgresClient.Configuration(url: url)
        configuration.options.maximumConnections = maximumConnections
        beginAttempts = maximumConnections + 1
        // postgres-nio 1.33 opens a connection for a waiting request only while the pool is
        // below its minimum: with a minimum of 0, a request queued behind the last connection
        // waits for ever when the server ends that connection (vapor/postgres-nio#657).
        // Two, not one: the instance's name holds a connection for as long as it runs.
        configuration.options.minimumConnections = min(2, maximumConnections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        running = Task { await client.run() }
    }

    /// Closes the pool: queries after this fail.
    package func close() {
        closed.store(true, ordering: .releasing)
        running.cancel()
    }

    /// Whether `close()` was called.
    package var isClosed: Bool { closed.load(ordering: .acquiring) }
    private let closed = Atomic<Bool>(false)

    deinit {
        running.cancel()
    }

    /// Runs `body` in one transaction, committed when it returns and rolled back when it
    /// throws. What `body` threw is what the caller sees (a `StaleSagaWrite`, say), not the
    /// driver's wrapper around it; a failed rollback drops the connection, which aborts the
    /// transaction on the server just the same.
    ///
    /// A transaction whose `BEGIN` fails is begun again on another connection, a few times:
    /// nothing of it ran. That happens when the pool hands out a connection the server has
    /// just ended (a restart or a failover sends `57P01` to idle connections, which the pool
    /// may not have read yet); the next connection waits for the server as any other does.
    package func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                let onlyTheBeginFailed = error.beginError != nil && error.closureError == nil && error.commitError == nil
                guard onlyTheBeginFailed, attempt < beginAttempts, !Task.isCancelled else { throw error.closureError ?? error }
                logger.notice("a transaction could not begin on a pooled connection; beginning it again", metadata: ["error": "\(error)"])
                attempt += 1
            }
        }
    }

    /// How many times a transaction is begun before its `BEGIN`'s failure is the caller's: one
    /// more than the pool's connections, each of which a restart may have ended.
    let beginAttempts: Int

    /// Runs `body` on one connection of the pool, outside any transaction (for statements that
    /// cannot run in one, such as `VACUUM`, with settings of their own).
    package func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection(body)
    }

    /// Runs one statement outside an explicit transaction.
    @discardableResult
    package func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger)
    }
}

extension PostgresClient.Configuration {
    /// From `postgres://user[:password]@host[:port]/database`, the password percent-decoded;
    /// TLS is not negotiated (a loopback or private-network database). Each missing or
    /// malformed part is named.
    package init(url: URL) throws {
        guard let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw PostgresURLError("the scheme must be postgres:// (was \(url.scheme ?? "none"))")
        }
        guard let host = url.host, !host.isEmpty else { throw PostgresURLError("no host in \(url.redactingPassword)") }
        guard let user = url.user, !user.isEmpty else { throw PostgresURLError("no user in \(url.redactingPassword)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw PostgresURLError("no database name in \(url.redactingPassword)") }
        // Options such as sslmode would be silently ignored: refused instead.
        guard url.query == nil else { throw PostgresURLError("query parameters are not supported (TLS is not negotiated): \(url.redactingPassword)") }
        self.init(
            host: host, port: url.port ?? 5432, username: user, password: url.password(percentEncoded: false), database: database, tls: .disable)
    }
}

/// `SCHEDULER_DATABASE_URL` (or a test's URL) cannot be used.
package struct PostgresURLError: Error, CustomStringConvertible {
    package let description: String

    init(_ description: String) {
        self.description = "database URL: \(description)"
    }
}

extension URL {
    /// The URL with its password replaced, for messages and logs.
    package var redactingPassword: String {
        guard password != nil else { return absoluteString }
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "(a URL with a password, not shown)" }
        components.password = "redacted"
        return components.string ?? "postgres://…"
    }
}
