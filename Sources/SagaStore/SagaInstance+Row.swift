import Foundation
import GRDB
import SagaCore

extension SagaInstance {
    /// Reads an instance from a `saga_instance` row.
    init(row: Row) throws {
        let dataText: String = row["data"]
        let data = try JSONDecoder().decode(SagaData.self, from: Data(dataText.utf8))
        let statusText: String = row["status"]
        guard let status = SagaStatus(rawValue: statusText) else {
            throw DatabaseError(message: "saga \(row["id"] as String? ?? "?") has unknown status \(statusText)")
        }
        let waitingEvent: String? = row["waiting_event"]
        let waitingCorrelation: String? = row["waiting_correlation"]
        let errorKind: String? = row["last_error_kind"]
        let errorMessage: String? = row["last_error_message"]
        self.init(
            id: row["id"], type: row["type"], definitionVersion: row["definition_version"],
            partitionKey: row["partition_key"], status: status, stepIndex: row["step_index"], attempt: row["attempt"],
            lastSucceededAction: row["last_succeeded_action"], data: data,
            waitingFor: waitingEvent.flatMap { event in waitingCorrelation.map { AwaitedEvent(event: event, correlation: $0) } },
            wakeAt: (row["wake_at"] as Int64?).map(Date.init(milliseconds:)),
            lastError: errorKind.flatMap(StepFailure.Kind.init(rawValue:)).map { StepFailure($0, errorMessage ?? "") },
            createdAt: Date(milliseconds: row["created_at"]), updatedAt: Date(milliseconds: row["updated_at"]),
            version: row["version"])
    }

    /// The column values, in `SagaStore.instanceColumns` order.
    var columnValues: StatementArguments {
        let dataText = (try? String(decoding: SagaStore.encoder.encode(data), as: UTF8.self)) ?? "{}"
        return [
            id, type, definitionVersion, partitionKey, status.rawValue, stepIndex, attempt, lastSucceededAction, dataText,
            waitingFor?.event, waitingFor?.correlation, wakeAt?.milliseconds, lastError?.kind.rawValue, lastError?.message,
            createdAt.milliseconds, updatedAt.milliseconds, version,
        ]
    }
}

extension Date {
    /// Milliseconds since the epoch, as stored.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }
}
