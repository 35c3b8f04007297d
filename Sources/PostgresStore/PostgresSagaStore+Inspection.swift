import Foundation
import PostgresNIO
package import SagaCore

/// What an operator reads: instances by status and type, a saga's log and its messages.
extension PostgresSagaStore: SagaInspection {
    package func instances(status: SagaStatus? = nil, type: String? = nil, limit: Int = 1000) async throws -> [SagaInstance] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.instanceColumns) FROM saga_instance
            WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                AND (\(type)::text IS NULL OR type = \(type))
            ORDER BY created_at DESC, id LIMIT \(limit)
            """
        ).collect()
        return try rows.map(SagaInstance.init(row:))
    }

    package func outbox(sagaID: String) async throws -> [StoredOutboxMessage] {
        let rows = try await database.query(
            """
            SELECT sequence, id, saga_id, topic, key, headers, payload, created_at, published_at, attempts, last_error
            FROM outbox WHERE saga_id = \(sagaID) ORDER BY sequence
            """)
        var messages: [StoredOutboxMessage] = []
        for try await (sequence, id, saga, topic, key, headers, payload, createdAt, publishedAt, attempts, lastError) in rows.decode(
            (Int64, String, String?, String, String, String, Data, Int64, Int64?, Int, String?).self)
        {
            messages.append(
                StoredOutboxMessage(
                    sequence: sequence,
                    message: OutboxMessage(id: id, topic: topic, key: key, headers: try Self.headers(headers, of: id), payload: payload),
                    sagaID: saga, createdAt: Date(milliseconds: createdAt), publishedAt: publishedAt.map(Date.init(milliseconds:)),
                    attempts: attempts, lastError: lastError))
        }
        return messages
    }
}

/// The engine's store reads as its database does, so the watchdog runs on any instance.
extension PostgresSagaWork: SagaInspection {
    package func instances(status: SagaStatus?, type: String?, limit: Int) async throws -> [SagaInstance] {
        try await withDeadline(answerWithin) { try await store.instances(status: status, type: type, limit: limit) }
    }

    package func stepLog(sagaID: String) async throws -> [StepLogRecord] {
        try await withDeadline(answerWithin) { try await store.stepLog(sagaID: sagaID) }
    }

    package func outbox(sagaID: String) async throws -> [StoredOutboxMessage] {
        try await withDeadline(answerWithin) { try await store.outbox(sagaID: sagaID) }
    }
}
