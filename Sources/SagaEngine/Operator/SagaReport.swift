package import Foundation
package import SagaCore
import SagaStore

/// What `scheduler sagas list` and `show` print, as tables for people or JSON for scripts.
package enum SagaReport {
    package struct Summary: Codable, Sendable {
        package var id: String
        package var type: String
        package var version: Int
        package var status: String
        package var step: String
        package var attempt: Int
        package var wakeAt: String?
        package var updatedAt: String
        package var stuck: Bool
        package var lastError: String?
    }

    package struct LogLine: Codable, Sendable {
        package var at: String
        package var step: String?
        package var phase: String
        package var attempt: Int
        package var outcome: String
        package var actor: String
        package var error: String?
    }

    package struct Message: Codable, Sendable {
        package var id: String
        package var topic: String
        package var key: String
        package var createdAt: String
        package var publishedAt: String?
        package var attempts: Int
        package var lastError: String?
    }

    package struct Timeline: Codable, Sendable {
        package var saga: Summary
        package var data: SagaData
        package var waitingFor: AwaitedEvent?
        package var log: [LogLine]
        package var outbox: [Message]
    }

    package static func summary(_ instance: SagaInstance, catalog: SagaCatalog, now: Date) -> Summary {
        let definition = catalog.definition(instance.type, version: instance.definitionVersion)
        let step = definition.map { $0.steps[min(instance.stepIndex, $0.steps.count - 1)].name } ?? "#\(instance.stepIndex)"
        return Summary(
            id: instance.id, type: instance.type, version: instance.definitionVersion, status: instance.status.rawValue,
            step: step, attempt: instance.attempt, wakeAt: instance.wakeAt.map(timestamp), updatedAt: timestamp(instance.updatedAt),
            stuck: definition.map { SagaMachine(definition: $0).isStuck(instance, now: now) } ?? false,
            lastError: instance.lastError?.description)
    }

    package static func timeline(_ instance: SagaInstance, store: some SagaInspection, catalog: SagaCatalog, now: Date) async throws -> Timeline {
        let log = try await store.stepLog(sagaID: instance.id).map { record in
            LogLine(
                at: timestamp(record.at), step: record.step, phase: record.phase.rawValue, attempt: record.attempt,
                outcome: record.outcome.rawValue, actor: record.actor,
                error: record.errorKind.map { "\($0.rawValue): \(record.message ?? "")" } ?? record.message)
        }
        let outbox = try await store.outbox(sagaID: instance.id).map {
            Message(
                id: $0.message.id, topic: $0.message.topic, key: $0.message.key, createdAt: timestamp($0.createdAt),
                publishedAt: $0.publishedAt.map(timestamp), attempts: $0.attempts, lastError: $0.lastError)
        }
        return Timeline(
            saga: summary(instance, catalog: catalog, now: now), data: instance.data, waitingFor: instance.waitingFor, log: log, outbox: outbox)
    }

    package static func table(_ summaries: [Summary]) -> String {
        guard !summaries.isEmpty else { return "No sagas.\n" }
        return TextTable.render(
            header: ["ID", "TYPE", "VER", "STATUS", "STEP", "ATTEMPT", "WAKE AT", "UPDATED", "ERROR"],
            rows: summaries.map {
                [
                    $0.id, $0.type, "\($0.version)", $0.status + ($0.stuck ? " (stuck)" : ""), $0.step, "\($0.attempt)", $0.wakeAt ?? "",
                    $0.updatedAt, $0.lastError ?? "",
                ]
            })
    }

    package static func text(_ timeline: Timeline) -> String {
        let saga = timeline.saga
        var text = """
            Saga \(saga.id): \(saga.type) v\(saga.version), \(saga.status)\(saga.stuck ? " (stuck)" : ""), step \(saga.step)
            Updated \(saga.updatedAt)\(saga.wakeAt.map { ", next wake-up \($0)" } ?? "")
            """
        if let waiting = timeline.waitingFor { text += "\nWaiting for \(waiting.event) with correlation \(waiting.correlation)" }
        if let error = saga.lastError { text += "\nLast error: \(error)" }
        text +=
            "\n\nTimeline:\n"
            + TextTable.render(
                header: ["AT", "STEP", "PHASE", "ATTEMPT", "OUTCOME", "BY", "DETAIL"],
                rows: timeline.log.map {
                    [$0.at, $0.step ?? "", $0.phase, $0.attempt == 0 ? "" : "\($0.attempt)", $0.outcome, $0.actor, $0.error ?? ""]
                })
        text +=
            "\nOutbox:\n"
            + (timeline.outbox.isEmpty
                ? "(none)\n"
                : TextTable.render(
                    header: ["ID", "TOPIC", "KEY", "CREATED", "PUBLISHED", "ATTEMPTS", "ERROR"],
                    rows: timeline.outbox.map {
                        [$0.id, $0.topic, $0.key, $0.createdAt, $0.publishedAt ?? "pending", "\($0.attempts)", $0.lastError ?? ""]
                    }))
        return text
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
