import Foundation
import GRDB
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

/// A batch of events is read once and written once, with the same outcomes as delivering
/// the events one at a time; what cannot be applied together is left, in lane order, for
/// one-at-a-time delivery.
@Suite("Batch delivery")
struct BatchDeliveryTests {
    /// Starts booking sagas and moves them to their wait for replies.
    func waiting(_ ids: [String], in fixture: EngineFixture) async throws {
        for id in ids { try await fixture.engine.start(type: "booking", id: id, partitionKey: "k", data: [:]) }
        try await fixture.engine.runDueWork()
        for id in ids { #expect(try await fixture.instance(id)?.status == .waiting) }
    }

    /// Delivers a batch, and while its handlers run, moves each of `moved` once, as a
    /// deadline or an operator would.
    func deliver(_ events: [InboundEvent], lanes: [Int], whileMoving moved: [String], in fixture: EngineFixture) async throws -> [InboxOutcome?] {
        fixture.held.hold("collect")
        let engine = fixture.engine
        let delivering = Task { await engine.deliver(batch: events, lanes: lanes) }
        try await waitUntil { fixture.held.hasStarted("collect") }
        for id in moved {
            try await fixture.store.write { db in try db.execute(sql: "UPDATE saga_instance SET version = version + 1 WHERE id = ?", arguments: [id])
            }
        }
        fixture.held.release("collect")
        return await delivering.value
    }

    @Test func oneWriteAppliesChainedRepliesDuplicatesAndStrays() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await waiting(["s1", "s2"], in: fixture)
        #expect(try await fixture.reply("s2", id: "old") == .applied(sagaID: "s2"))
        let commitsBefore = fixture.store.committedTransactions

        let outcomes = await fixture.engine.deliver(
            batch: [
                EngineFixture.replyEvent("s1", id: "a"),
                EngineFixture.replyEvent("s2", id: "old"),  // processed before
                EngineFixture.replyEvent("s1", id: "b"),  // s1's second reply completes its wait
                EngineFixture.replyEvent("s1", id: "a"),  // repeated within the batch
                EngineFixture.replyEvent("nobody", id: "stray"),
                EngineFixture.replyEvent("s1", id: "late"),  // s1 no longer waits
            ], lanes: [0, 1, 0, 0, 2, 0])

        #expect(
            outcomes == [
                .applied(sagaID: "s1"), .duplicate, .applied(sagaID: "s1"), .duplicate,
                .ignored(reason: "no saga is waiting for reply with correlation req-nobody"),
                .ignored(reason: "no saga is waiting for reply with correlation req-s1"),
            ])
        #expect(fixture.store.committedTransactions == commitsBefore + 1, "the whole batch is one transaction")
        let s1 = try #require(try await fixture.instance("s1"))
        #expect(s1.status == .running && s1.data["replies"] == 2, "both replies were applied, the second on top of the first")
        #expect(try await fixture.instance("s2")?.data["replies"] == 1, "the repeated message did nothing")
        let inbox = try await fixture.store.read { db in try String.fetchAll(db, sql: "SELECT message_id FROM inbox ORDER BY message_id") }
        #expect(inbox == ["a", "b", "late", "old", "stray"])
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .completed)
    }

    @Test func aFailingHandlerStopsItsLaneAndNothingElse() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await waiting(["s1", "s2", "s3"], in: fixture)
        fixture.script.fail("collect", StepFailure(.transient, "not now"))

        // Lane 0: s1 (fails), then s2 (must wait behind it); lane 1: s3.
        let outcomes = await fixture.engine.deliver(
            batch: [
                EngineFixture.replyEvent("s1", id: "a"), EngineFixture.replyEvent("s3", id: "b"), EngineFixture.replyEvent("s2", id: "c"),
            ], lanes: [0, 1, 0])

        #expect(outcomes == [nil, .applied(sagaID: "s3"), nil])
        #expect(try await fixture.instance("s1")?.data["replies"] == nil)
        #expect(try await fixture.instance("s2")?.data["replies"] == nil, "nothing in a lane is applied after what was not")
        #expect(try await !fixture.store.hasProcessed(messageID: "a"))
        #expect(try await !fixture.store.hasProcessed(messageID: "c"))
        // One at a time, in order, as the pipeline then does.
        #expect(try await fixture.engine.deliver(EngineFixture.replyEvent("s1", id: "a")) == .applied(sagaID: "s1"))
        #expect(try await fixture.engine.deliver(EngineFixture.replyEvent("s2", id: "c")) == .applied(sagaID: "s2"))
    }

    @Test func aSagaMovedAfterTheSnapshotIsLeftAndTheRestIsStored() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await waiting(["s1", "s2"], in: fixture)
        // While the batch's handlers run, someone else moves s1 (as a deadline or an
        // operator would): its stored version no longer matches the snapshot's.
        let version = try #require(try await fixture.instance("s1")?.version)
        let outcomes = try await deliver(
            [EngineFixture.replyEvent("s1", id: "a"), EngineFixture.replyEvent("s2", id: "b"), EngineFixture.replyEvent("s1", id: "c")],
            lanes: [0, 1, 2], whileMoving: ["s1"], in: fixture)

        #expect(outcomes == [nil, .applied(sagaID: "s2"), nil], "s1's events wait for one-at-a-time delivery; s2's is stored")
        let s1 = try #require(try await fixture.instance("s1"))
        #expect(s1.version == version + 1 && s1.data["replies"] == nil)
        #expect(try await fixture.instance("s2")?.data["replies"] == 1)
        #expect(try await !fixture.store.hasProcessed(messageID: "a"), "no inbox row without its transition")
    }

    @Test func aTransitionSkippedInItsLaneStopsTheLaterOnesPlannedOnTopOfIt() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await waiting(["s1", "s2"], in: fixture)
        // Lane 0: s1's reply, then s2's first; lane 1: s2's second, planned on top of the first.
        // While the handlers run, s1 and s2 are each moved once by someone else: s1's write
        // fails, which stops lane 0, so s2's first is not stored, and its second must not be
        // either (its expected version happens to match after the other move).
        let outcomes = try await deliver(
            [EngineFixture.replyEvent("s1", id: "x"), EngineFixture.replyEvent("s2", id: "a"), EngineFixture.replyEvent("s2", id: "c")],
            lanes: [0, 0, 1], whileMoving: ["s1", "s2"], in: fixture)

        #expect(outcomes == [nil, nil, nil])
        #expect(try await fixture.instance("s2")?.data["replies"] == nil)
    }

    @Test func aReplyForASagaAWorkerIsMovingIsLeftForOneAtATimeDelivery() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await waiting(["s1"], in: fixture)
        #expect(try await fixture.reply("s1", id: "first") == .applied(sagaID: "s1"))
        fixture.clock.advance(by: 61)
        fixture.held.hold("settle")
        let engine = fixture.engine
        let worker = Task { try await engine.runDueWork() }
        try await waitUntil { fixture.held.hasStarted("settle") }

        // The deadline's step has begun (the saga still reads as waiting) and its worker holds
        // the saga's lock: the second reply is neither stored under it nor waited for.
        #expect(await engine.deliver(batch: [EngineFixture.replyEvent("s1", id: "second")], lanes: [0]) == [nil])
        #expect(try await fixture.instance("s1")?.data["replies"] == 1)
        fixture.held.release("settle")
        try await worker.value

        let s1 = try #require(try await fixture.instance("s1"))
        #expect(s1.status == .completed && s1.data["partial"] == true && s1.data["replies"] == 1)
        #expect(try await fixture.reply("s1", id: "second") == .ignored(reason: "no saga is waiting for reply with correlation req-s1"))
    }

    @Test func anEventIgnoredBecauseOfAnEarlierOneIsNotStoredWithoutIt() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await waiting(["s1", "s2"], in: fixture)
        #expect(try await fixture.reply("s1", id: "first") == .applied(sagaID: "s1"))
        // Lane 0: s2's reply, then s1's second, which completes s1's wait; lane 1: one more for
        // s1, ignored because of that. s2 is moved meanwhile, which stops lane 0: the one
        // more must not be stored as ignored while s1 still waits.
        let outcomes = try await deliver(
            [EngineFixture.replyEvent("s2", id: "x"), EngineFixture.replyEvent("s1", id: "a"), EngineFixture.replyEvent("s1", id: "late")],
            lanes: [0, 0, 1], whileMoving: ["s2"], in: fixture)

        #expect(outcomes == [nil, nil, nil])
        #expect(try await fixture.instance("s1")?.status == .waiting)
        #expect(try await !fixture.store.hasProcessed(messageID: "late"))
    }
}
