import CalendarProviders
import Foundation
import GRDB
import SagaCore
import SagaStore
import SchedulingCore

/// The candidate's traces in the SQLite database, and rewriting them for an erasure.
enum CandidateRecords {
    /// Everything the database holds of the candidate, read in the caller's transaction.
    static func traces(ofCandidate candidateID: String, in db: Database) throws -> CandidateTraces {
        let erasure = InterviewSagaKind.erasure.rawValue, scheduling = InterviewSagaKind.scheduling.rawValue
        func instances(_ ids: [String]) throws -> [SagaInstance] { try ids.compactMap { try SagaStore.instance(id: $0, in: db) } }
        let requests = try instances(try SagaStore.instanceIDs(type: scheduling, partitionKey: candidateID, withDescendants: false, in: db))
        let interviews = try requests.compactMap { try InterviewRecords.interview(requestID: $0.id, in: db) }
        return CandidateTraces(
            erasures: try instances(try SagaStore.instanceIDs(type: erasure, partitionKey: candidateID, withDescendants: false, in: db)),
            requests: requests,
            sagas: try instances(try SagaStore.instanceIDs(type: scheduling, partitionKey: candidateID, withDescendants: true, in: db)),
            interviews: interviews,
            mail: try requests.flatMap { try MailOutbox.entries(ofInterview: InterviewIDs.interview(forRequest: $0.id), in: db) })
    }

    /// Removes the candidate from the interview tables: stored invitations are dropped (the
    /// interview keeps its times and bookings), their e-mails are deleted, idempotent answers
    /// of their requests are forgotten, and audit details are redacted. Returns how many interviews were touched.
    static func erase(requests requestIDs: [String], sagas sagaIDs: [String], with redactions: [Redaction], in db: Database) throws -> Int {
        var interviews = 0
        for requestID in requestIDs {
            try db.execute(
                sql: "UPDATE interview SET invite_request = '', invite_cancel = NULL WHERE request_id = ?", arguments: [requestID])
            interviews += db.changesCount
            try db.execute(sql: "DELETE FROM mail_outbox WHERE interview_id = ?", arguments: [InterviewIDs.interview(forRequest: requestID)])
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
