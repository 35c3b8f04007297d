import Foundation
import SagaCore
import Testing

/// The saga store's guarantees, asserted alike of SQLite and PostgreSQL.
@Suite("Saga store on SQLite and PostgreSQL")
struct SagaStoreOnBothBackendsTests {
    @Test(arguments: Backend.allCases)
    func startingAnIdTwiceStoresItOnce(backend: Backend) async throws {
        let (store, close) = try await backend.open()
        defer { close() }
        #expect(try await store.insert(Sagas.started("s-1")))
        #expect(try await store.insert(Sagas.started("s-1", at: Sagas.epoch.addingTimeInterval(1))) == false)
        let stored = try #require(try await store.instance(id: "s-1"))
        #expect(stored == Sagas.started("s-1").instance, "read back as written, the first start kept")
        #expect(try await store.stepLogLength(sagaID: "s-1") == 1)
    }

    /// A dead-lettered message is recorded once, with its DLQ record; the event id given with
    /// it is marked done too, so that the event is a duplicate when it comes again.
    @Test(arguments: Backend.allCases)
    func aDeadLetterIsRecordedOnceAndMarksItsEventDone(backend: Backend) async throws {
        let (store, close) = try await backend.open()
        defer { close() }
        let record = OutboxMessage(id: "dlq:t:0:7:ab", topic: "dlq", key: "k", payload: Data("{}".utf8))
        func deadLetter() async throws -> InboxOutcome {
            try await store.deadLetter(
                messageID: "kafka:t:0:7:ab", eventID: "e-7", topic: "t", at: Sagas.epoch, reason: "processing-failed", messages: [record])
        }
        #expect(try await deadLetter() == .ignored(reason: "dead-lettered: processing-failed"))
        #expect(try await deadLetter() == .duplicate)
        #expect(try await store.pendingOutbox(limit: 10).map(\.id) == ["dlq:t:0:7:ab"])
        #expect(try await store.hasProcessed(messageID: "e-7"))
        #expect(try await store.receive(messageID: "e-7", topic: "t", at: Sagas.epoch, transition: nil, ignoredBecause: nil) == .duplicate)
    }

    /// Ten writers move the same saga from the same version at once: one lands, nine are told
    /// the saga moved, and none of their log lines or messages is stored.
    @Test(arguments: Backend.allCases)
    func ofConcurrentWritesFromOneVersionExactlyOneLands(backend: Backend) async throws {
        let (store, close) = try await backend.open()
        defer { close() }
        let start = Sagas.started("s-1")
        try await store.insert(start)
        let outcomes = await withTaskGroup(of: Result<SagaInstance, any Error>.self) { group in
            for writer in 0..<10 {
                group.addTask {
                    do {
                        return .success(try await store.commit(Sagas.begin(start.instance, at: Sagas.epoch.addingTimeInterval(Double(writer + 1)))))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let landed = outcomes.compactMap { try? $0.get() }
        #expect(landed.count == 1)
        #expect(outcomes.filter { if case .failure(let error) = $0 { error is StaleSagaWrite } else { false } }.count == 9)
        #expect(try await store.instance(id: "s-1") == landed.first)
        #expect(try await store.stepLogLength(sagaID: "s-1") == 2, "the start and one begin")
    }

    /// The same message delivered twenty times at once (redelivery, two consumers): stored
    /// once, its transition applied once.
    @Test(arguments: Backend.allCases)
    func aMessageDeliveredManyTimesAtOnceIsAppliedOnce(backend: Backend) async throws {
        let (store, close) = try await backend.open()
        defer { close() }
        let start = Sagas.started("s-1")
        try await store.insert(start)
        let outcomes = try await withThrowingTaskGroup(of: InboxOutcome.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await store.receive(
                        messageID: "m-1", topic: "replies", at: Sagas.epoch, transition: Sagas.begin(start.instance, at: Sagas.epoch),
                        ignoredBecause: nil)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .applied(sagaID: "s-1") }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 19)
        #expect(try await store.instance(id: "s-1")?.version == 1)
    }

    @Test(arguments: Backend.allCases)
    func dueWorkIsListedMostOverdueFirst(backend: Backend) async throws {
        let (store, close) = try await backend.open()
        defer { close() }
        for (index, id) in ["late", "later", "latest"].enumerated() {
            try await store.insert(Sagas.started(id, at: Sagas.epoch.addingTimeInterval(Double(index))))
        }
        #expect(try await store.dueInstanceIDs(at: Sagas.epoch.addingTimeInterval(1), limit: 10) == ["late", "later"])
        #expect(try await store.dueInstanceIDs(at: Sagas.epoch.addingTimeInterval(5), limit: 2) == ["late", "later"])
    }

    @Test(arguments: Backend.allCases)
    func outboxMessagesComeOutInStoredOrderAndOnce(backend: Backend) async throws {
        let (store, close) = try await backend.open()
        defer { close() }
        let start = Sagas.started("s-1")
        try await store.insert(start)
        var next = start.instance
        for index in 0..<3 {
            var transition = Sagas.begin(next, at: Sagas.epoch.addingTimeInterval(Double(index + 1)))
            transition.messages = [
                OutboxMessage(id: "m-\(index)", topic: "t", key: "cand-1", headers: ["eventType": "x"], payload: Data("\(index)".utf8)),
                OutboxMessage(id: "m-0", topic: "t", key: "cand-1", payload: Data("again".utf8)),
            ]
            next = try await store.commit(transition)
        }
        let pending = try await store.pendingOutbox(limit: 10)
        #expect(pending.map(\.id) == ["m-0", "m-1", "m-2"], "a repeated id is stored once")
        #expect(pending.first?.payload == Data("0".utf8) && pending.first?.headers == ["eventType": "x"])
        try await store.markPublished(ids: ["m-0", "m-1"], at: Sagas.epoch)
        #expect(try await store.pendingOutbox(limit: 10).map(\.id) == ["m-2"])
        try await store.markPublishFailed(id: "m-2", error: "broker unavailable")
        #expect(try await store.pendingOutbox(limit: 10).map(\.id) == ["m-2"], "a failed delivery stays pending")
        #expect(try await store.deliveryAttempts(id: "m-2", sagaID: "s-1").map { "\($0.attempts) \($0.lastError ?? "-")" } == "1 broker unavailable")
        try await store.markPublished(ids: ["m-2"], at: Sagas.epoch)
        #expect(try await store.deliveryAttempts(id: "m-2", sagaID: "s-1").map { "\($0.attempts) \($0.lastError ?? "-")" } == "2 -")
        #expect(try await store.pendingOutbox(limit: 10).isEmpty)
    }
}
