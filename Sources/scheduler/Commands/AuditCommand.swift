import ArgumentParser
import Foundation
import InterviewScheduling
import PostgresStore
import SagaStore
import SchedulingCore

/// `scheduler audit`: the audit log, newest first. Erasures show as `candidate.erasure` rows
/// (who, which candidate id, when, counts) without anything that was erased.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log (who did what to which request, interview or candidate, and when), newest first.")

    @OptionGroup var location: SagasCommand.Location
    @Option(help: "Only actions that begin with this, e.g. candidate.erasure.")
    var action = ""
    @Option(help: "Only this target: a request, interview or candidate id.")
    var target: String?
    @Option(help: "At most this many rows.")
    var limit = 100
    @Flag(help: "Print JSON.")
    var json = false

    struct Row: Encodable {
        var at: String
        var actor: String
        var action: String
        var target: String
        var detail: String
    }

    func run() async throws {
        let action = action, target = target, limit = max(1, limit)
        let entries = try await location.withDatabase { database in
            switch database {
            case .sqlite(let store):
                return try await store.read { db in try InterviewRecords.auditLog(action: action, target: target, limit: limit, in: db) }
            case .postgres(let store):
                let tables = PostgresInterviewTables(logger: store.database.logger)
                return try await store.database.transaction { connection in
                    try await tables.auditLog(action: action, target: target, limit: limit, in: connection)
                }
            }
        }
        let rows = entries.map {
            Row(at: ISO8601.format(Instant(secondsSinceEpoch: $0.at)), actor: $0.actor, action: $0.action, target: $0.target, detail: $0.detail)
        }
        if json {
            try print(JSON.text(rows), terminator: "")
        } else if rows.isEmpty {
            print("No audit entries.")
        } else {
            for row in rows { print([row.at, row.actor, row.action, row.target, row.detail].joined(separator: "  ")) }
        }
    }
}
