import Foundation
import GRDB
import SagaCore

extension SagaInstance {
    /// Reads an instance from a row of `SagaStore.instanceColumns`, by position (GRDB's
    /// lookup by name folds case on every access).
    init(row: Row) throws {
        let dataText: String = row[8]
        guard case .object(let data) = try JSONValue(parsing: Data(dataText.utf8)) else {
            throw JSONSyntaxError(offset: 0, reason: "saga data must be a JSON object")
        }
        let statusText: String = row[4]
        guard let status = SagaStatus(rawValue: statusText) else {
            throw DatabaseError(message: "saga \(row[0] as String? ?? "?") has unknown status \(statusText)")
        }
        let waitingEvent: String? = row[9]
        let waitingCorrelation: String? = row[10]
        let errorKind: String? = row[12]
        let errorMessage: String? = row[13]
        self.init(
            id: row[0], type: row[1], definitionVersion: row[2], partitionKey: row[3], status: status,
            stepIndex: row[5], attempt: row[6], lastSucceededAction: row[7], data: data,
            waitingFor: waitingEvent.flatMap { event in waitingCorrelation.map { AwaitedEvent(event: event, correlation: $0) } },
            wakeAt: (row[11] as Int64?).map(Date.init(milliseconds:)),
            lastError: errorKind.flatMap(StepFailure.Kind.init(rawValue:)).map { StepFailure($0, errorMessage ?? "") },
            createdAt: Date(milliseconds: row[14]), updatedAt: Date(milliseconds: row[15]), version: row[16])
    }

    /// The column values, in `SagaStore.instanceColumns` order.
    var columnValues: StatementArguments {
        let dataText = (try? String(decoding: JSONValue.object(data).jsonText(), as: UTF8.self)) ?? "{}"
        return [
            id, type, definitionVersion, partitionKey, status.rawValue, stepIndex, attempt, lastSucceededAction, dataText,
            waitingFor?.event, waitingFor?.correlation, wakeAt?.milliseconds, lastError?.kind.rawValue, lastError?.message,
            createdAt.milliseconds, updatedAt.milliseconds, version,
        ]
    }
}
