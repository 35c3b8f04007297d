import Foundation
import GRDB
import SagaCore
import SagaStore

/// The candidate's traces in the interview tables, and rewriting them for an erasure.
enum CandidateRecords {
    /// The candidate's scheduling requests, and every saga of each (cancellations,
    /// reschedules): ids that begin with the request's.
    static func sagaIDs(ofCandidate candidateID: String, in db: Database) throws -> (requests: [String], sagas: [String]) {
        let requests = try SagaStore.instanceIDs(
            type: InterviewSagaKind.scheduling.rawValue, partitionKey: candidateID, withDescendants: false, in: db)
        let sagas = try SagaStore.instanceIDs(
            type: InterviewSagaKind.scheduling.rawValue, partitionKey: candidateID, withDescendants: true, in: db)
        return (requests, sagas)
    }

    /// The candidate's name and address as their requests gave them (they may differ between requests).
    static func redactions(ofRequests requestIDs: [String], in db: Database) throws -> [Redaction] {
        try requestIDs.compactMap { id in
            guard let instance = try SagaStore.instance(id: id, in: db) else { return nil }
            let candidate = instance.data["request"]?["candidate"]
            return Redaction(name: candidate?["name"]?.stringValue, email: candidate?["email"]?.stringValue)
        }
    }

    /// Removes the candidate from the interview tables: stored invitations are dropped (the
    /// interview keeps its times and bookings), idempotent answers of their requests are
    /// forgotten, and audit details are redacted. Returns how many interviews were touched.
    static func erase(requests requestIDs: [String], sagas sagaIDs: [String], with redactions: [Redaction], in db: Database) throws -> Int {
        var interviews = 0
        for requestID in requestIDs {
            try db.execute(
                sql: "UPDATE interview SET invite_request = '', invite_cancel = NULL WHERE request_id = ?", arguments: [requestID])
            interviews += db.changesCount
            try db.execute(
                sql: "DELETE FROM idempotency_key WHERE instr(CAST(body AS TEXT), ?) > 0",
                arguments: [String(decoding: try JSONValue.string(requestID).jsonText(), as: UTF8.self)])
        }
        let targets = requestIDs + requestIDs.map(InterviewIDs.interview(forRequest:)) + sagaIDs
        for target in Set(targets) {
            for row in try Row.fetchAll(db, sql: "SELECT id, detail FROM audit_log WHERE target = ?", arguments: [target]) {
                let detail: String = row[1]
                try db.execute(
                    sql: "UPDATE audit_log SET detail = ? WHERE id = ?", arguments: [redactions.reduce(detail) { $1.text($0) }, row[0] as Int64])
            }
        }
        return interviews
    }
}
