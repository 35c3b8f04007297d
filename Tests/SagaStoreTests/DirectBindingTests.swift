import Foundation
import GRDB
import SagaCore
import SagaStore
import Testing

/// The hot writes (inbox rows, saga updates, step-log and outbox rows) bind their values
/// straight to SQLite: what they store reads back exactly, including the values that C
/// binding gets wrong most easily.
@Suite("Saga store: values bound straight to SQLite")
struct DirectBindingTests {
    /// Non-ASCII text, besides empty strings, NULL, bytes with zeros and an empty payload.
    static let awkwardText = "a'b · Zürich 東京 🙂"

    @Test func outboxRowsReadBackExactly() async throws {
        try await withScratchStore { store in
            let messages = [
                OutboxMessage(id: "m-1 \(Self.awkwardText)", topic: "t", key: "", headers: ["h": Self.awkwardText], payload: Data([0, 1, 0xFF, 0])),
                OutboxMessage(id: "m-2", topic: Self.awkwardText, key: "k", payload: Data()),
            ]
            try await store.enqueue(messages, sagaID: "s-1", at: Date(timeIntervalSince1970: 1_000))
            try await store.enqueue(messages[1], sagaID: nil, at: Date(timeIntervalSince1970: 1_001))
            let stored = try await store.outbox(sagaID: "s-1")
            #expect(stored.map(\.message) == messages)
            #expect(stored.allSatisfy { $0.createdAt == Date(timeIntervalSince1970: 1_000) && $0.sagaID == "s-1" })
        }
    }

    @Test func aTransitionAndItsInboxRowReadBackExactly() async throws {
        try await withScratchStore { store in
            let start = SagaStoreTests.started("s-\(Self.awkwardText)")
            try await store.insert(start)
            var next = start
            next.instance.status = .waiting
            next.instance.stepIndex = 3
            next.instance.attempt = 2
            next.instance.lastSucceededAction = -1
            next.instance.data = ["note": .string(Self.awkwardText), "empty": .string("")]
            next.instance.waitingFor = AwaitedEvent(event: "reply", correlation: Self.awkwardText)
            next.instance.wakeAt = Date(timeIntervalSince1970: 5_000)
            next.instance.lastError = StepFailure(.transient, Self.awkwardText)
            next.instance.updatedAt = Date(timeIntervalSince1970: 2_000)
            next.log = [
                StepLogRecord(
                    sagaID: start.instance.id, step: nil, phase: .wait, attempt: 7, outcome: .eventApplied, at: Date(timeIntervalSince1970: 2_000),
                    errorKind: .transient, message: Self.awkwardText, actor: "operator \(Self.awkwardText)"),
                StepLogRecord(sagaID: start.instance.id, step: "", phase: .saga, outcome: .succeeded, at: Date(timeIntervalSince1970: 2_000)),
            ]
            next.messages = []
            let outcome = try await store.receive(
                messageID: "in-\(Self.awkwardText)", topic: "", at: Date(timeIntervalSince1970: 2_000), transition: next)

            #expect(outcome == .applied(sagaID: start.instance.id))
            var expected = next.instance
            expected.version += 1
            #expect(try await store.instance(id: start.instance.id) == expected)
            #expect(try await store.stepLog(sagaID: start.instance.id).suffix(2) == next.log[...])
            let inbox = try await store.read { db in
                try Row.fetchAll(db, sql: "SELECT message_id, topic, received_at, saga_id, outcome FROM inbox").map { "\($0)" }
            }
            let expectedRow: Row = [
                "message_id": "in-\(Self.awkwardText)", "topic": "", "received_at": 2_000_000, "saga_id": start.instance.id, "outcome": "applied",
            ]
            #expect(inbox == ["\(expectedRow)"])
        }
    }

    /// A string with a NUL ends there, as where GRDB binds it: an inbox row written here is
    /// found by the reads GRDB binds, and a saga inserted by GRDB is updated here.
    @Test func textEndsAtANulAsGRDBBindsIt() async throws {
        try await withScratchStore { store in
            let start = SagaStoreTests.started("s-1\u{0}tail")
            try await store.insert(start)
            var next = start
            next.instance.updatedAt = Date(timeIntervalSince1970: 2_000)
            _ = try await store.receive(messageID: "m-1\u{0}tail", topic: "t", at: Date(timeIntervalSince1970: 2_000), transition: next)
            #expect(try await store.instance(id: "s-1")?.version == 1)
            #expect(try await store.read { db in try SagaStore.processed(["m-1\u{0}tail", "m-1"], in: db) } == ["m-1"])
        }
    }
}
