import Foundation
import SagaCore
import SagaEngine
import SchedulerTesting
import Testing

/// What an operator does to sagas (`scheduler sagas`, the stuck-saga watchdog) on either store,
/// with the same assertions; on PostgreSQL from another instance than the one that runs them.
@Suite("Saga operator commands on SQLite and on PostgreSQL")
struct SagaOperatorOnBothBackendsTests {
    @Test(arguments: Backend.allCases)
    func aFailedCompensationIsRetriedByAnOperatorAndTheTimelineShowsWho(_ backend: Backend) async throws {
        let fixture = try await EngineOnBackend.open(backend, engines: backend == .postgres ? 2 : 1)
        defer { fixture.close() }
        let operatorEngine = fixture.engines[fixture.engines.count - 1]
        fixture.world.fail("book", StepFailure(.permanent, "calendar refused"))
        fixture.world.fail("release", StepFailure(.permanent, "calendar gone"))
        try await fixture.engine.start(type: "booking", id: "b1", partitionKey: "cand-1", data: [:])
        try await fixture.engine.runDueWork()
        try await fixture.engine.start(type: "booking", id: "b2", partitionKey: "cand-2", data: [:])
        try await fixture.engine.runDueWork()

        let failed = try await operatorEngine.inspection.instances(status: .failed, type: "booking", limit: 10)
        #expect(failed.map(\.id) == ["b1"], "only the saga whose compensation failed")
        #expect(try await operatorEngine.inspection.instances(status: nil, type: nil, limit: 10).map(\.id).sorted() == ["b1", "b2"])
        #expect(try await operatorEngine.inspection.instances(status: nil, type: "other", limit: 10).isEmpty)
        #expect(try await operatorEngine.stuckInstances().isEmpty, "failed sagas are parked, not stuck")

        let retried = try await operatorEngine.retry(id: "b1", by: "operator-ann")
        #expect(retried.status == .compensating)
        try await fixture.engine.runDueWork()
        #expect(try await fixture.engine.storedInstance("b1")?.status == .compensated)
        #expect(fixture.world.calls(of: "release").count == 2 && fixture.world.calls(of: "release").allSatisfy { $0.hasPrefix("release b1:") })

        let log = try await operatorEngine.inspection.stepLog(sagaID: "b1")
        #expect(log.contains { $0.phase == .operator && $0.outcome == .retried && $0.actor == "operator-ann" })
        let messages = try await operatorEngine.inspection.outbox(sagaID: "b2")
        #expect(messages.map(\.message.id) == ["b2-requested"])
        #expect(messages.first?.publishedAt == nil && messages.first?.attempts == 0)
        #expect(try await operatorEngine.inspection.outbox(sagaID: "nobody").isEmpty)
        await #expect(throws: IllegalTransition.self) { try await operatorEngine.retry(id: "b1", by: "operator-ann") }
    }

    @Test(arguments: Backend.allCases)
    func anOperatorAbortUndoesWhatTheSagaDidAndNamesWho(_ backend: Backend) async throws {
        let fixture = try await EngineOnBackend.open(backend, engines: backend == .postgres ? 2 : 1)
        defer { fixture.close() }
        let operatorEngine = fixture.engines[fixture.engines.count - 1]
        try await fixture.engine.start(type: "booking", id: "b1", partitionKey: "cand-1", data: [:])
        try await fixture.engine.runDueWork()
        #expect(try await fixture.engine.storedInstance("b1")?.status == .waiting)

        try await operatorEngine.abort(id: "b1", by: "recruiter-bo", reason: "candidate withdrew")
        try await fixture.engine.runDueWork()
        #expect(try await fixture.engine.storedInstance("b1")?.status == .compensated)
        #expect(fixture.world.calls(of: "cancel") == ["cancel b1:book:compensate #1"])
        #expect(fixture.world.calls(of: "release") == ["release b1:reserve:compensate #1"])
        let aborted = try await operatorEngine.inspection.stepLog(sagaID: "b1").filter { $0.outcome == .aborted }
        #expect(aborted.map(\.actor) == ["recruiter-bo"])
        #expect(aborted.first?.message == "candidate withdrew")
        await #expect(throws: UnknownSaga.self) { try await operatorEngine.abort(id: "nobody", by: "recruiter-bo", reason: "x") }
    }

    @Test(arguments: Backend.allCases)
    func aSagaThatDoesNotMoveIsReportedStuckOnAnyInstance(_ backend: Backend) async throws {
        let fixture = try await EngineOnBackend.open(backend, engines: backend == .postgres ? 2 : 1)
        defer { fixture.close() }
        try await fixture.engine.start(type: "booking", id: "b1", partitionKey: "cand-1", data: [:])
        try await fixture.engine.runDueWork()
        fixture.clock.advance(by: 60 + 599)
        for engine in fixture.engines { #expect(try await engine.stuckInstances().isEmpty) }
        fixture.clock.advance(by: 2)
        for engine in fixture.engines {
            #expect(try await engine.stuckInstances().map(\.id) == ["b1"], "waiting past its deadline without the deadline firing")
        }
    }
}
