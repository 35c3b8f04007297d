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
        #expect(Refusal(holders: [], ownSessions: [7]) == .holderLeft)
        #expect(Refusal(holders: [7], ownSessions: [3, 7]) == .ownSession(7))
        #expect(Refusal(holders: [9], ownSessions: [3, 7]) == .anotherInstance)
        #expect(Refusal(holders: [9], ownSessions: []) == .anotherInstance)
    }

    @Test func aNameWhoseSessionEndedIsHeldAgainAndStillRefusedToASecondInstance() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let (first, second, admin) = (
            try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url)
        )
        defer { for database in [first, second, admin] { database.close() } }
        let name = try await InstanceNameLock.take("instance-a", on: first, checkEvery: .seconds(3600))
        await #expect(throws: InstanceNameTaken.self) { _ = try await InstanceNameLock.take("instance-a", on: second) }

        #expect(try await Self.endHolders(admin) == 1)
        name.checkNow()
        #expect(try await eventually(30) { try await Self.isHeld(admin) }, "held again on a new session")
        await #expect(throws: InstanceNameTaken.self) { _ = try await InstanceNameLock.take("instance-a", on: second) }
        await name.give()
        #expect(try await !Self.isHeld(admin), "given up")
    }

    @Test func aNameTakenByAnotherInstanceWhileTheSessionWasGoneIsReportedLost() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let (first, second, admin) = (
            try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url)
        )
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
        #expect(try await eventually(30) { lost.isRaised }, "the first holder learns it lost the name")
        await name.give()
        #expect(try await Self.isHeld(admin), "the twin still holds it")
        await twin.give()
    }

    /// On a loaded machine the answer to a retake can come after its deadline although the
    /// server granted the lock. That session must not go back to the pool holding the name:
    /// the next retake would be refused and the name reported lost, or the name would outlive
    /// `give()`.
    @Test func aRetakeAnsweredTooLateIsNeitherLostNorLeftHeld() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let (first, second, admin) = (
            try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url), try PostgresStore.PostgresDatabase(url: url)
        )
        defer { for database in [first, second, admin] { database.close() } }
        let answers = LateAnswers()
        let name = try await InstanceNameLock.take(
            "instance-a", on: first, checkEvery: .seconds(3600), answerWithin: .seconds(1), afterAnswer: { await answers.answered(by: $0) })
        await answers.makeNextLate(by: .seconds(2))
        #expect(try await Self.endHolders(admin) == 1)
        name.checkNow()
        let heldAgain = try await eventually(30) {
            guard let late = await answers.lateSession, let holder = try await Self.holder(admin) else { return false }
            return holder != late
        }
        #expect(heldAgain, "held again, by a session other than the one whose answer came late")
        #expect(!name.isLost)
        await #expect(throws: InstanceNameTaken.self) { _ = try await InstanceNameLock.take("instance-a", on: second) }
        await name.give()
        #expect(try await !Self.isHeld(admin), "given up: no session of the first holder keeps it")
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
