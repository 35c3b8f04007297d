import Foundation
import Logging
import PostgresNIO

/// The statements on the sessions that hold, or may hold, one instance name. Each session the
/// holder uses for the name carries `applicationName`, so that a session of its own that still
/// holds the name (one whose look timed out, or whose answer to the lock came too late) is told
/// from another instance's by the server, not by bookkeeping of process ids it may reuse.
struct InstanceNameSessions: Sendable {
    /// The first key of the instance names' advisory locks ("ins").
    static let lockSpace: Int32 = 0x69_6E73

    let name: String
    /// This holder's `application_name` (a fresh UUID, under PostgreSQL's 63 bytes).
    let applicationName = "scheduler-instance-\(UUID().uuidString.lowercased())"
    let logger: Logger

    /// Marks `connection`'s session as this holder's; its server process.
    func mark(_ connection: PostgresConnection) async throws -> Int32 {
        let rows = try await connection.query(
            "SELECT pg_backend_pid() FROM set_config('application_name', \(applicationName), false)", logger: logger
        ).collect()
        return try rows.first?.decode(Int32.self) ?? 0
    }

    /// Tries to take the name on `connection`; whether it did.
    func tryLock(on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockSpace), hashtext(\(name)))", logger: logger).collect()
        return try rows.first?.decode(Bool.self) ?? false
    }

    /// Gives up every hold of `connection`'s session (taking the lock again on a session that
    /// holds it counts twice).
    func unlockAll(on connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT pg_advisory_unlock_all()", logger: logger).collect()
    }

    /// Who holds the name in this database (one session at most): whether it is this holder's.
    func holders(on database: PostgresDatabase) async throws -> [NameHolder] {
        let rows = try await database.query(
            """
            SELECT l.pid, coalesce(a.application_name, '') = \(applicationName) FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE \(unescaped: Self.heldName) AND l.objid::bigint = (hashtext(\(name))::bigint & 4294967295)
            """
        ).collect()
        return try rows.map { row in
            let (session, own) = try row.decode((Int32, Bool).self)
            return NameHolder(session: session, own: own)
        }
    }

    /// Ends this holder's sessions that hold the name, waiting up to 2 s for them to go.
    func endOwnHolders(on database: PostgresDatabase) async throws {
        _ = try await database.query(
            """
            SELECT pg_terminate_backend(l.pid, 2000) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE \(unescaped: Self.heldName) AND l.objid::bigint = (hashtext(\(name))::bigint & 4294967295) AND a.application_name = \(applicationName)
            """
        ).collect()
    }

    /// Granted instance-name locks (the two-key form) in this database.
    private static let heldName = """
        l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid = \(lockSpace) AND l.objsubid = 2 AND l.granted
        """
}

/// A session that holds an instance name, and whether it is this holder's own.
struct NameHolder: Equatable {
    let session: Int32
    let own: Bool
}

/// What a refused retake of the name means, from who holds it now.
enum Refusal: Equatable {
    /// Nobody holds it any more (the holder's session ended meanwhile): take it again.
    case holderLeft
    /// A session of this holder's holds it (stalled, or its answer came too late): end it and
    /// take the name again.
    case ownSession
    /// Another instance holds it: the name is lost.
    case anotherInstance

    init(holders: [NameHolder]) {
        guard let holder = holders.first else {
            self = .holderLeft
            return
        }
        self = holder.own ? .ownSession : .anotherInstance
    }
}
