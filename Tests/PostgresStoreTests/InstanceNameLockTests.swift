import Foundation
import Logging
import PostgresNIO
import SchedulerTesting
import Testing

@testable import PostgresStore

/// An instance's name on a shared database: refused to a second live instance, held again after
/// the holder's session ends (a restart, a failover), and reported lost when another instance
/// took it meanwhile, but not when a session of its own still holds it (a retake answered too
/// late). The session is ended with `pg_terminate_backend`, and the holder is told
/// to look at once (`checkNow`), so that who takes the name first is decided by the test.
@Suite("The instance's name on PostgreSQL")
struct InstanceNameLockTests {
    static let lockSpace = 0x69_6E73

    /// Ends every session that holds an instance name's lock, and waits (up to 10 s) until they
    /// are gone, so that a holder seen afterwards is a new session; returns how many it ended.
    static func endHolders(_ admin: PostgresStore.PostgresDatabase) async throws -> Int {
        let rows = try await admin.query(
            """
            SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
            WHERE locktype = 'advisory' AND classid = \(Self.lockSpace) AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        ).collect()
        return rows.count
    }

    /// Three pools on one new database: the holder's, another instance's (or a lingering
    /// session's), and the test's own.
    static func threePools() async throws -> (PostgresStore.PostgresDatabase, PostgresStore.PostgresDatabase, PostgresStore.PostgresDatabase) {
        let url = try await PostgresTestServer.shared().newDatabase()
        return (
            try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url)
        )
    }

    /// The server process of the session that holds an instance name, if one does.
    static func holder(_ admin: PostgresStore.PostgresDatabase) async throws -> Int32? {
        let rows = try await admin.query(
            """
            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = \(Self.lockSpace) AND granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        ).collect()
        return try rows.first?.decode(Int32.self)
    }

    static func isHeld(_ admin: PostgresStore.PostgresDatabase) async throws -> Bool {
        let rows = try await admin.query(
            """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = \(Self.lockSpace) AND granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        ).collect()
        return try rows.first?.decode(Int64.self) == 1
    }

    /// Who holds the name after a refused retake decides what the refusal means.
    @Test func aRefusalIsALossOnlyWhenAnotherInstanceHoldsTheName() {
        #expect(Refusal(holders: []) == .holderLeft)
        #expect(Refusal(holders: [NameHolder(session: 7, own: true)]) == .ownSession)
        #expect(Refusal(holders: [NameHolder(session: 9, own: false)]) == .anotherInstance)
    }

    @Test func aNameWhoseSessionEndedIsHeldAgainAndStillRefusedToASecondInstance() async throws {
        let (first, second, admin) = try await Self.threePools()
        defer { for database in [first, second, admin] { database.close() } }
        let name = try await InstanceNameLock.take("instance-a", on: first, checkEvery: .seconds(3600))
        await #expect(throws: InstanceNameTaken.self) { _ = try await InstanceNameLock.take("instance-a", on: second) }

        #expect(try await Self.endHolders(admin) == 1)
        name.checkNow()
        // Every condition also asks for a look: a step that waits for the next one would otherwise wait an hour.
        let heldAgain = try await eventually(30) {
            name.checkNow()
            return try await Self.isHeld(admin)
        }
        #expect(heldAgain, "held again on a new session")
        await #expect(throws: InstanceNameTaken.self) { _ = try await InstanceNameLock.take("instance-a", on: second) }
        await name.give()
        #expect(try await eventually(60) { try await !Self.isHeld(admin) }, "given up")
    }

    /// A session of the holder's own that still holds the name (a look that timed out while the
    /// session lived on, a retake answered too late) is ended, not taken for a twin's.
    @Test func aSessionOfItsOwnThatStillHoldsTheNameIsEndedNotTakenForATwin() async throws {
        let (first, lingering, admin) = try await Self.threePools()
        defer { for database in [first, lingering, admin] { database.close() } }
        let name = try await InstanceNameLock.take("instance-a", on: first, checkEvery: .seconds(3600))
        #expect(try await Self.endHolders(admin) == 1)
        // Before the holder looks, a session carrying its mark takes the name.
        let mark = name.sessions.applicationName
        let rows = try await lingering.withConnection { connection in
            try await connection.query(
                """
                SELECT pg_try_advisory_lock(\(Int32(Self.lockSpace)), hashtext('instance-a')), pg_backend_pid()
                FROM set_config('application_name', \(mark), false)
                """, logger: lingering.logger
            ).collect()
        }
        let (took, lingeringSession) = try #require(rows.first).decode((Bool, Int32).self)
        #expect(took)
        let heldAgain = try await eventually(30) {
            name.checkNow()
            guard let holder = try await Self.holder(admin) else { return false }
            return holder != lingeringSession
        }
        #expect(heldAgain, "the lingering session ended and the name held again")
        #expect(!name.isLost)
        await name.give()
        #expect(try await eventually(60) { try await !Self.isHeld(admin) }, "given up")
    }

    @Test func aNameTakenByAnotherInstanceWhileTheSessionWasGoneIsReportedLost() async throws {
        let (first, second, admin) = try await Self.threePools()
        defer { for database in [first, second, admin] { database.close() } }
        let name = try await InstanceNameLock.take("instance-a", on: first, checkEvery: .seconds(3600))
        #expect(try await Self.endHolders(admin) == 1)
        let twin = try await InstanceNameLock.take("instance-a", on: second, checkEvery: .seconds(3600))
        name.checkNow()
        let lost = Flag()
        Task {
            await name.lost()
            lost.raise()
        }
        let learned = try await eventually(30) {
            name.checkNow()
            return lost.isRaised
        }
        #expect(learned, "the first holder learns it lost the name")
        await name.give()
        #expect(try await Self.isHeld(admin), "the twin still holds it")
        await twin.give()
    }

    /// On a loaded machine the answer to a retake can come after its deadline although the
    /// server granted the lock. That session must not go back to the pool holding the name:
    /// the next retake would be refused and the name reported lost, or the name would outlive
    /// `give()`.
    @Test func aRetakeAnsweredTooLateIsNeitherLostNorLeftHeld() async throws {
        let (first, second, admin) = try await Self.threePools()
        defer { for database in [first, second, admin] { database.close() } }
        let answers = LateAnswers()
        let name = try await InstanceNameLock.take(
            "instance-a", on: first, checkEvery: .seconds(3600), answerWithin: .seconds(2), afterAnswer: { await answers.answered(by: $0) })
        await answers.makeNextLate(by: .seconds(3))
        #expect(try await Self.endHolders(admin) == 1)
        name.checkNow()
        let heldAgain = try await eventually(30) {
            name.checkNow()
            guard let late = await answers.lateSession, let holder = try await Self.holder(admin) else { return false }
            return holder != late
        }
        #expect(heldAgain, "held again, by a session other than the one whose answer came late")
        #expect(!name.isLost)
        await #expect(throws: InstanceNameTaken.self) { _ = try await InstanceNameLock.take("instance-a", on: second) }
        await name.give()
        #expect(try await eventually(60) { try await !Self.isHeld(admin) }, "given up: no session of the first holder keeps it")
        let twin = try await InstanceNameLock.take("instance-a", on: second, checkEvery: .seconds(3600))
        await twin.give()
    }
}

/// Makes the next answer to the name's lock query late, and keeps its session's server process.
private actor LateAnswers {
    private(set) var lateSession: Int32?
    private var nextDelay: Duration?

    func makeNextLate(by delay: Duration) {
        nextDelay = delay
    }

    func answered(by session: Int32) async {
        guard let delay = nextDelay else { return }
        nextDelay = nil
        lateSession = session
        try? await Task.sleep(for: delay)
    }
}
