import CalendarProviders
import Foundation
import GRDB
import SagaCore
import SagaStore
import SchedulingCore

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

    /// E-mails to the candidate about these requests that are about to go: being sent, or
    /// queued and not yet tried. One the relay has had refused already may wait for hours; the
    /// erasure does not wait for it, and deletes it.
    static func unsentMail(ofRequests requestIDs: [String], in db: Database) throws -> Int {
        try requestIDs.reduce(0) { count, requestID in
            let entries = try MailOutbox.entries(ofInterview: InterviewIDs.interview(forRequest: requestID), in: db)
            return count + entries.filter { $0.status == .sending || ($0.status == .pending && $0.attempts == 0) }.count
        }
    }

    /// Whether the candidate has requests that started after `instant`.
    static func hasRequests(ofCandidate candidateID: String, since instant: Date, in db: Database) throws -> Bool {
        try SagaStore.instanceIDs(type: InterviewSagaKind.scheduling.rawValue, partitionKey: candidateID, withDescendants: false, in: db)
            .contains { try (SagaStore.instance(id: $0, in: db)?.createdAt ?? .distantPast) > instant }
    }

    /// The candidate's erasures, oldest first.
    static func erasureIDs(ofCandidate candidateID: String, in db: Database) throws -> [String] {
        try SagaStore.instanceIDs(type: InterviewSagaKind.erasure.rawValue, partitionKey: candidateID, withDescendants: false, in: db)
    }

    /// The candidate's latest erasure, if any.
    static func latestErasure(ofCandidate candidateID: String, in db: Database) throws -> SagaInstance? {
        try erasureIDs(ofCandidate: candidateID, in: db).last.flatMap { try SagaStore.instance(id: $0, in: db) }
    }

    /// The id of an erasure of the candidate that has not finished, if any.
    static func unsettledErasure(ofCandidate candidateID: String, in db: Database) throws -> String? {
        try SagaStore.unsettled(try erasureIDs(ofCandidate: candidateID, in: db), in: db).first
    }

    /// Whether a request is being stopped or cancelled, or is over: its saga is being undone
    /// or ended undone, or its cancellation runs or ran.
    static func isStoppingOrStopped(_ requestID: String, in db: Database) throws -> Bool {
        if let request = try SagaStore.instance(id: requestID, in: db), [.compensating, .compensated, .failed].contains(request.status) {
            return true
        }
        guard let cancellation = try SagaStore.instance(id: InterviewIDs.cancellation(ofRequest: requestID), in: db) else { return false }
        return [.running, .waiting, .completed].contains(cancellation.status)
    }

    /// The calendar events of the candidate's confirmed interviews, with their times, and
    /// every other event their sagas recorded (bookings of cancelled interviews, of requests
    /// stopped after booking, of reschedules).
    static func calendarEvents(
        ofCandidate candidateID: String, in db: Database
    ) throws -> (live: [(ProviderEventReference, Interval)], others: Set<ProviderEventReference>) {
        let (requests, sagas) = try sagaIDs(ofCandidate: candidateID, in: db)
        var live: [(ProviderEventReference, Interval)] = []
        var others = Set<ProviderEventReference>()
        for requestID in requests {
            guard let interview = try InterviewRecords.interview(requestID: requestID, in: db) else { continue }
            if interview.status == .confirmed {
                live += interview.bookings.map { ($0, interview.slot) }
            } else {
                others.formUnion(interview.bookings)
            }
        }
        for id in sagas {
            guard let bookings = try SagaStore.instance(id: id, in: db)?.data["bookings"] else { continue }
            others.formUnion((try? bookings.decoded(as: [ProviderEventReference].self)) ?? [])
        }
        return (live, others)
    }

    /// The interviewers of each of the candidate's requests, by request id.
    static func interviewers(ofCandidate candidateID: String, in db: Database) throws -> [(String, [String])] {
        try sagaIDs(ofCandidate: candidateID, in: db).requests.compactMap { id in
            guard let instance = try SagaStore.instance(id: id, in: db),
                let people = instance.data["request"]?["interviewers"]?.arrayValue
            else { return nil }
            return (id, people.compactMap { $0["email"]?.stringValue })
        }
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
