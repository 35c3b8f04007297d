import Foundation
import GRDB
import SagaCore
import SagaStore
import SchedulerTesting
import Testing

/// A batch of inbound events reads its inbox rows and waiting sagas with a few `IN (…)`
/// queries instead of one query per event.
@Suite("Saga store: batch reads")
struct BatchReadTests {
    /// Stores a started saga, set waiting for `event` with `correlation`, in the caller's
    /// transaction.
    static func waiting(_ id: String, for event: String, correlation: String, in db: Database) throws {
        _ = try SagaStore.insert(SagaStoreTests.started(id), in: db)
        try db.execute(
            sql: "UPDATE saga_instance SET status = 'waiting', waiting_event = ?, waiting_correlation = ? WHERE id = ?",
            arguments: [event, correlation, id])
    }

    /// More ids than one list binds, some repeated: every processed one and every waiting saga
    /// is found, under its own event.
    @Test func idsBeyondOneListAreAllFound() async throws {
        try await withScratchStore { store in
            let sagas = 3 * SagaStore.idsPerQuery / 2
            try await store.write { db in
                for index in 0..<sagas {
                    try Self.waiting("s-\(index)", for: index % 100 == 0 ? "other" : "reply", correlation: "c-\(index)", in: db)
                }
                for index in stride(from: 0, to: 2 * sagas, by: 2) {
                    _ = try store.receive(messageID: "m-\(index)", topic: "t", at: Date(), transition: nil, in: db)
                }
            }

            let asked = (0..<(2 * sagas)).map { "m-\($0)" } + ["m-0", "m-1"]
            let processed = try await store.read { db in try SagaStore.processed(asked, in: db) }
            #expect(processed == Set(stride(from: 0, to: 2 * sagas, by: 2).map { "m-\($0)" }))

            let correlations = (0..<(sagas + 10)).map { "c-\($0)" } + ["c-1", "c-100"]
            let replies = try await store.read { db in try SagaStore.instancesWaiting(for: "reply", correlations: correlations, in: db) }
            let others = try await store.read { db in try SagaStore.instancesWaiting(for: "other", correlations: correlations, in: db) }
            #expect(Set(replies.keys) == Set((0..<sagas).filter { $0 % 100 != 0 }.map { "c-\($0)" }))
            #expect(replies.allSatisfy { $0.key == "c-\($0.value.id.dropFirst(2))" && $0.value.waitingFor?.event == "reply" })
            #expect(Set(others.keys) == Set(stride(from: 0, to: sagas, by: 100).map { "c-\($0)" }))
        }
    }

    /// Where two sagas wait for the same event and correlation (which the engine does not
    /// make, but an operator's repair could), the batch read and the one-at-a-time read both
    /// choose the one stored first.
    @Test func ofTwoSagasWaitingForTheSameTheFirstStoredIsChosenByBothReads() async throws {
        try await withScratchStore { store in
            try await store.write { db in
                for id in ["s-b", "s-a"] { try Self.waiting(id, for: "reply", correlation: "c", in: db) }
            }
            let batch = try await store.read { db in try SagaStore.instancesWaiting(for: "reply", correlations: ["c"], in: db) }
            let single = try await store.read { db in try SagaStore.instanceWaiting(for: "reply", correlation: "c", in: db) }
            #expect(batch["c"]?.id == "s-b")
            #expect(single?.id == "s-b")
            #expect(try await store.instanceWaiting(for: "reply", correlation: "c") == "s-b")
        }
    }

    /// A relay's confirmation of more messages than one list binds marks each of them, and
    /// no other.
    @Test func publishedMarksBeyondOneListReachEveryMessage() async throws {
        try await withScratchStore { store in
            let messages = 3 * SagaStore.idsPerQuery / 2
            try await store.write { db in
                for index in 0..<(messages + 5) {
                    try SagaStore.insertOutbox(
                        OutboxMessage(id: "m-\(index)", topic: "t", key: "k", payload: Data("\(index)".utf8)), sagaID: nil, at: Date(), in: db)
                }
            }
            try await store.markPublished(ids: (0..<messages).map { "m-\($0)" }, at: Date())
            #expect(try await store.pendingOutbox(limit: 100).map(\.message.id) == (messages..<(messages + 5)).map { "m-\($0)" })
        }
    }
}
