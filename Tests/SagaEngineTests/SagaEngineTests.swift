import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

@Suite("Saga engine over SQLite")
struct SagaEngineTests {
    @Test func runsASagaToCompletionAndPublishesItsOutbox() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "cand-1", data: ["candidate": "cand-1"])
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .waiting)
        #expect(try await fixture.reply("s1", id: "e1") == .applied(sagaID: "s1"))
        #expect(try await fixture.reply("s1", id: "e2") == .applied(sagaID: "s1"))
        try await fixture.engine.runDueWork()
        let done = try #require(try await fixture.instance("s1"))
        #expect(done.status == .completed)
        #expect(done.data == ["candidate": "cand-1", "reserved": true, "replies": 2])
        #expect(fixture.calls.all == ["reserve s1:reserve #1", "book s1:book #1", "notify s1:notify #1"])

        let publisher = RecordingPublisher()
        let relay = OutboxRelay(store: fixture.store, publisher: publisher, clock: fixture.clock)
        #expect(try await relay.publishPending() == 2)
        #expect(publisher.messages.map(\.id) == ["s1-requested", "s1-confirmed"])
        #expect(try await fixture.store.outboxBacklog() == 0)
    }

    @Test func startingTheSameIdTwiceStartsOnce() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: ["n": 1])
        let again = try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: ["n": 2])
        #expect(again.data == ["n": 1])
        #expect(try await fixture.store.instances().count == 1)
    }

    @Test func transientFailuresRetryWithBackoffUsingTheSameKey() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        fixture.script.fail("reserve", StepFailure(.transient, "503"), StepFailure(.transient, "503"))
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        let backingOff = try #require(try await fixture.instance("s1"))
        #expect(backingOff.wakeAt == fixture.clock.now().addingTimeInterval(1))
        fixture.clock.advance(by: 1)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.wakeAt == fixture.clock.now().addingTimeInterval(2), "1 s, then 2 s")
        fixture.clock.advance(by: 2)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .waiting)
        #expect(fixture.calls.all.prefix(3) == ["reserve s1:reserve #1", "reserve s1:reserve #2", "reserve s1:reserve #3"])
    }

    @Test func aStepWhoseTransientFailuresRunOutIsCompensatedToo() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        fixture.script.fail("book", StepFailure(.transient, "connection reset"), StepFailure(.transient, "connection reset"))
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        fixture.clock.advance(by: 1)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .compensated)
        #expect(fixture.calls.all.suffix(2) == ["cancel s1:book:compensate #1", "release s1:reserve:compensate #1"], "a booking may exist")
    }

    @Test func aStepThatOutrunsItsTimeoutFailsAsTimeout() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        fixture.script.fail("reserve", StepFailure(.timeout, "slow"))
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        let log = try await fixture.store.stepLog(sagaID: "s1")
        #expect(log.contains { $0.outcome == .failed && $0.errorKind == .timeout && $0.message == "did not finish within 200ms" })
        #expect(try await fixture.instance("s1")?.status == .running, "timeouts are retried")
    }

    @Test func aRejectedEventCompensatesInReverseOrder() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        #expect(try await fixture.reply("s1", id: "e1", accept: false) == .applied(sagaID: "s1"))
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .compensated)
        #expect(fixture.calls.all.suffix(2) == ["cancel s1:book:compensate #1", "release s1:reserve:compensate #1"])
    }

    @Test func aFailingCompensationParksTheSagaUntilAnOperatorRetries() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        fixture.script.fail("book", StepFailure(.permanent, "calendar refused"))
        fixture.script.fail("release", StepFailure(.transient, "down"), StepFailure(.transient, "still down"))
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        fixture.clock.advance(by: 5)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .failed)
        #expect(try await fixture.engine.stuckInstances().isEmpty, "failed sagas are parked, not stuck")

        let retried = try await fixture.engine.retry(id: "s1", by: "operator-ann")
        #expect(retried.status == .compensating)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .compensated)
        let log = try await fixture.store.stepLog(sagaID: "s1")
        #expect(log.contains { $0.phase == .operator && $0.outcome == .retried && $0.actor == "operator-ann" })
        #expect(fixture.calls.all.filter { $0.hasPrefix("release") }.count == 3)
    }

    @Test func deadlineProceedsWithPartialRepliesOrFails() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "partial", partitionKey: "k", data: [:])
        try await fixture.engine.start(type: "booking", id: "silent", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        _ = try await fixture.reply("partial", id: "e1")
        fixture.clock.advance(by: 60)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("partial")?.status == .completed)
        #expect(try await fixture.instance("partial")?.data["partial"] == .bool(true))
        #expect(try await fixture.instance("silent")?.status == .compensated)
        #expect(try await fixture.instance("silent")?.lastError == StepFailure(.timeout, "nobody replied"))
    }

    @Test func duplicateUnknownAndLateEventsAreRecordedAndIgnored() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        #expect(try await fixture.reply("s1", id: "e1") == .applied(sagaID: "s1"))
        #expect(try await fixture.reply("s1", id: "e1") == .duplicate)
        #expect(try await fixture.instance("s1")?.data["replies"] == .number(1), "the duplicate was not applied")
        let unknown = try await fixture.reply("nobody", id: "e2")
        #expect(unknown == .ignored(reason: "no saga is waiting for reply with correlation req-nobody"))
        _ = try await fixture.reply("s1", id: "e3")
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .completed)
        if case .ignored = try await fixture.reply("s1", id: "e4") {} else { Issue.record("a late event must be ignored") }
        #expect(try await fixture.store.hasProcessed(messageID: "e4"), "ignored events are recorded")
    }

    @Test func abortUndoesCompletedStepsAndRecordsWho() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        try await fixture.engine.abort(id: "s1", by: "recruiter-bo", reason: "candidate withdrew")
        try await fixture.engine.runDueWork()
        #expect(try await fixture.instance("s1")?.status == .compensated)
        #expect(try await fixture.store.stepLog(sagaID: "s1").contains { $0.outcome == .aborted && $0.actor == "recruiter-bo" })
        await #expect(throws: IllegalTransition.self) { try await fixture.engine.abort(id: "s1", by: "recruiter-bo", reason: "again") }
    }

    @Test func anAbortFromAnotherProcessDuringAStepKeepsTheStepsResultAndUndoesIt() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        fixture.held.hold("book")
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        let running = Task { try await fixture.engine.runDueWork() }
        try await waitUntil { fixture.held.hasStarted("book") }
        // `scheduler sagas abort` runs in its own process: its own engine, its own locks.
        let cli = SagaEngine(
            store: fixture.store, catalog: fixture.engine.catalog, handlers: EngineFixture.handlers(calls: ExternalCalls(), script: FailureScript()),
            clock: fixture.clock)
        #expect(try await cli.abort(id: "s1", by: "ops", reason: "withdrawn").stepIndex == 1, "the started step is undone too")
        fixture.held.release("book")
        try await running.value
        try await fixture.engine.runDueWork()

        #expect(try await fixture.instance("s1")?.status == .compensated)
        #expect(fixture.calls.all.suffix(2) == ["cancel s1:book:compensate #1", "release s1:reserve:compensate #1"])
        #expect(try await fixture.store.pendingOutbox(limit: 10).map(\.message.id) == ["s1-requested"], "the step's message was kept")
        #expect(try await fixture.outcomes("s1").contains("action:book:succeeded"))
    }

    @Test func aStaleWriteIsRejected() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        let started = try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        let machine = SagaMachine(definition: try #require(fixture.engine.catalog.latest("booking")))
        let work = try #require(machine.nextWork(started, now: fixture.clock.now()))
        _ = try await fixture.store.commit(machine.begin(work, on: started, now: fixture.clock.now()))
        await #expect(throws: StaleSagaWrite.self) {
            _ = try await fixture.store.commit(machine.begin(work, on: started, now: fixture.clock.now()))
        }
    }

    @Test func runningInstancesKeepTheirDefinitionVersion() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "old", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()

        let v2 = EngineFixture.definitionYAML.replacingOccurrences(of: "version: 1", with: "version: 2")
            .replacingOccurrences(of: "  - name: notify\n    action: notify\n    compensation: none", with: "")
        let upgraded = try EngineFixture(extraDefinitions: ["booking-v2.yaml": v2], store: fixture.store, directory: fixture.directory)
        try await upgraded.engine.start(type: "booking", id: "new", partitionKey: "k", data: [:])
        #expect(try await upgraded.instance("new")?.definitionVersion == 2)
        try await upgraded.engine.runDueWork()
        for id in ["old", "new"] {
            _ = try await upgraded.reply(id, id: "\(id)-1")
            _ = try await upgraded.reply(id, id: "\(id)-2")
        }
        try await upgraded.engine.runDueWork()
        #expect(try await upgraded.instance("old")?.status == .completed)
        #expect(upgraded.calls.all.contains("notify old:notify #1"), "v1 still has the notify step")
        #expect(!upgraded.calls.all.contains("notify new:notify #1"), "v2 has none")
    }

    @Test func startUpRefusesWhenARunningInstanceLostItsDefinition() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        let directory = try TemporaryDirectory(prefix: "saga-other")
        defer { directory.remove() }
        let handlers = EngineFixture.handlers(calls: ExternalCalls(), script: FailureScript())
        let emptyCatalog = SagaEngine(store: fixture.store, catalog: SagaCatalog([]), handlers: handlers)
        await #expect(throws: MissingDefinitions.self) { try await emptyCatalog.checkLiveDefinitionsAreLoaded() }
        try await fixture.engine.checkLiveDefinitionsAreLoaded()
    }

    @Test func aSagaThatDoesNotMoveIsReportedStuck() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        try await fixture.engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await fixture.engine.runDueWork()
        fixture.clock.advance(by: 60 + 599)
        #expect(try await fixture.engine.stuckInstances().isEmpty)
        fixture.clock.advance(by: 2)
        #expect(try await fixture.engine.stuckInstances().map(\.id) == ["s1"], "waiting past the deadline without the deadline firing")
    }

    @Test func manySagasRunConcurrentlyEachStrictlySerial() async throws {
        // The booking definition without its 200 ms action timeout: on a starved machine (every
        // suite at once on two cores) an action could outlast it, and its retry waits for a
        // clock this test never moves, which is not what this test is about.
        let relaxed = EngineFixture.definitionYAML.replacingOccurrences(of: "name: booking", with: "name: relaxed")
            .replacingOccurrences(of: "    timeout: 200ms\n", with: "")
        let fixture = try EngineFixture(extraDefinitions: ["relaxed.yaml": relaxed])
        defer { fixture.directory.remove() }
        #expect(!relaxed.contains("timeout: 200ms") && relaxed.contains("name: relaxed"))
        for index in 0..<60 {
            try await fixture.engine.start(type: "relaxed", id: "s\(index)", partitionKey: "k\(index % 4)", data: [:])
        }
        let running = Task { try await fixture.engine.run() }
        defer { running.cancel() }
        // With every suite at once on two cores this can take many times its time alone: a
        // liveness check (the engine keeps committing), not a timed one.
        let commits = { fixture.store.committedTransactions }
        try await waitUntil(progressing: commits) { try await fixture.store.countsByStatus()[.waiting] == 60 }
        for instance in try await fixture.store.instances() where instance.status != .waiting {
            Issue.record(
                "not waiting: \(instance.id) \(instance.status) step \(instance.stepIndex) attempt \(instance.attempt) wake \(String(describing: instance.wakeAt)) now \(fixture.clock.now()) error \(String(describing: instance.lastError))"
            )
        }
        for index in 0..<60 {
            _ = try await fixture.reply("s\(index)", id: "a\(index)")
            _ = try await fixture.reply("s\(index)", id: "b\(index)")
        }
        try await waitUntil(progressing: commits) { try await fixture.store.countsByStatus()[.completed] == 60 }
        let log = try await fixture.store.stepLog(sagaID: "s7")
        let actions = log.filter { $0.phase == .action }.map { "\($0.step ?? ""):\($0.outcome.rawValue)" }
        #expect(actions == ["reserve:started", "reserve:succeeded", "book:started", "book:succeeded", "notify:started", "notify:succeeded"])
    }

    @Test func aSagaThatCannotMoveIsParkedInsteadOfRetriedInALoop() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        let log = RecordingLogHandler()
        let engine = SagaEngine(
            store: fixture.store, catalog: fixture.engine.catalog, handlers: EngineFixture.handlers(calls: fixture.calls, script: fixture.script),
            clock: fixture.clock, pollInterval: .milliseconds(20), logger: log.logger)
        let running = Task { try await engine.run() }
        defer { running.cancel() }
        try await engine.start(type: "booking", id: "s1", partitionKey: "k", data: [:])
        try await waitUntil { try await fixture.instance("s1")?.status == .waiting }
        // Then a newer service version starts a saga this engine has no definition for.
        let newer = try EngineFixture(
            extraDefinitions: ["ghost.yaml": "name: ghost\nversion: 1\nsteps:\n  - { name: boo, action: notify, compensation: none }\n"],
            store: fixture.store, directory: fixture.directory)
        try await newer.engine.start(type: "ghost", id: "g1", partitionKey: "k", data: [:])
        func attempts() -> Int { log.messages.filter { $0.contains("could not be moved") && $0.contains("sagaId=g1") }.count }
        try await waitUntil { attempts() == 1 }
        try await Task.sleep(for: .milliseconds(300))  // a spinning dispatcher retries thousands of times meanwhile
        #expect(attempts() == 1, "parked while the clock stands still")
        fixture.clock.advance(by: 1)
        try await waitUntil { attempts() == 2 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(attempts() == 2, "the backoff doubled to 2 s")
        #expect(!fixture.calls.all.contains { $0.hasPrefix("notify") })
    }

    @Test func outboxRelayKeepsOrderAndRetriesAfterAnOutage() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        for index in 0..<5 {
            try await fixture.store.enqueue(OutboxMessage(id: "m\(index)", topic: "t", key: "k", payload: Data()), at: fixture.clock.now())
        }
        let publisher = RecordingPublisher()
        let relay = OutboxRelay(store: fixture.store, publisher: publisher, clock: fixture.clock)
        publisher.setFailing(true)
        await #expect(throws: StepFailure.self) { try await relay.publishPending() }
        #expect(try await fixture.store.outboxBacklog() == 5)
        #expect(try await fixture.store.pendingOutbox(limit: 1).first?.lastError == "transient: broker unavailable")
        publisher.setFailing(false)
        #expect(try await relay.publishPending() == 5)
        #expect(publisher.messages.map(\.id) == ["m0", "m1", "m2", "m3", "m4"])
    }

    /// The relay's poll interval is an hour here: only the commit's wake-up can bring it.
    @Test func aCommitThatWritesToTheOutboxWakesTheIdleRelay() async throws {
        let fixture = try EngineFixture()
        defer { fixture.directory.remove() }
        let publisher = RecordingPublisher()
        let relay = OutboxRelay(store: fixture.store, publisher: publisher, clock: fixture.clock, idleInterval: .seconds(3600))
        let running = Task { await relay.run() }
        defer { running.cancel() }
        for round in 0..<3 {
            try await fixture.store.enqueue(OutboxMessage(id: "m\(round)", topic: "t", key: "k", payload: Data()), at: fixture.clock.now())
            try await waitUntil { try await fixture.store.outboxBacklog() == 0 }
            #expect(publisher.messages.count == round + 1)
        }
        #expect(publisher.messages.map(\.id) == ["m0", "m1", "m2"])
    }
}

/// Polls `condition` every 20 ms for 20 s of the time this loop itself could run, and once
/// more at the end. A pause between two looks counts as at most one second: a long one means
/// the process's cooperative threads were busy elsewhere (a synchronous wait, or other
/// suites' long synchronous test bodies ahead in the queue, seen at 15 s on a slow two-core
/// machine), and the work under test was starved with them, so nothing can be concluded
/// from it. 300 s in all at most. A failure names the longest pause. For work whose amount
/// makes such pauses add up, use `waitUntil(progressing:)`.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    let start = ContinuousClock.now
    var lastLook = start
    var looked = Duration.zero
    var longestPause = Duration.zero
    while looked < .seconds(20), ContinuousClock.now - start < .seconds(300) {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
        let pause = ContinuousClock.now - lastLook
        longestPause = max(longestPause, pause)
        looked += min(pause, .seconds(1))
        lastLook = ContinuousClock.now
    }
    if try await condition() { return }
    Issue.record(
        "condition not met within \(looked) of looking (\(ContinuousClock.now - start) in all); longest pause between two looks: \(longestPause)")
}

/// Polls `condition` every 20 ms for as long as `progress` keeps moving. Fails when it has
/// not moved for `stall` of the time this loop itself could run (a pause between two looks
/// counts as at most one second: when the whole process is starved, the work under test is
/// too, and nothing can be concluded from it), or after `limit` in all.
///
/// For work that must not stop but whose speed is the machine's business: with every suite
/// at once on two cores, each suspension of the engine's tasks queues behind other suites'
/// synchronous test bodies, and 60 sagas take many times their time alone.
func waitUntil(
    progressing progress: () -> Int, stall: Duration = .seconds(20), limit: Duration = .seconds(300), _ condition: () async throws -> Bool
) async throws {
    let start = ContinuousClock.now
    var lastLook = start
    var seen = progress()
    var stalled = Duration.zero
    while true {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
        let now = ContinuousClock.now
        let current = progress()
        if current != seen {
            seen = current
            stalled = .zero
        } else {
            stalled += min(now - lastLook, .seconds(1))
        }
        lastLook = now
        if stalled >= stall || now - start >= limit {
            if try await condition() { return }
            Issue.record("condition not met: no progress (\(seen)) for \(stalled) of looking, \(now - start) in all")
            return
        }
    }
}
