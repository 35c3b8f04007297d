import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InterviewScheduling
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

/// The API's use cases in process, over real SQLite: a request from acceptance to
/// confirmation, cancellation and reschedule, with the sagas run by hand.
@Suite("Scheduling requests through the API, in process")
struct RequestLifecycleTests {
    @Test func aRequestIsAcceptedShownAndConfirmed() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let accepted = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request())
            #expect(accepted.status == .accepted)
            let id = try #require(accepted.json["requestId"] as? String)
            #expect(accepted.headers[.location] == "/api/v1/scheduling-requests/\(id)")
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)").json["state"] as? String == "pending")

            try await fixture.confirm(id)
            let shown = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)")
            #expect(shown.json["state"] as? String == "confirmed", "\(shown.json)")
            let interviewID = try #require(shown.json["interviewId"] as? String)
            let interview = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)")
            #expect(interview.json["status"] as? String == "confirmed" && interview.json["sequence"] as? Int == 0)
            #expect((interview.json["calendarEvents"] as? [[String: String]])?.count == 1)
            let invite = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)/invite.ics")
            #expect(invite.headers[.contentType] == "text/calendar; charset=utf-8; method=REQUEST")
            #expect(String(buffer: invite.body).contains("METHOD:REQUEST\r\n"))
            let listed = try await fixture.send(client, .get, "/api/v1/interviews?candidateId=cand-ada")
            #expect((listed.json["interviews"] as? [[String: Any]])?.map { $0["interviewId"] as? String } == [interviewID])
        }
    }

    /// The request's saga, its owner, the audit row and the idempotent answer are one
    /// transaction: when one of them cannot be written, none is, and a retry starts cleanly.
    /// (With two databases, the saga was started and the owner lost: a request its recruiter
    /// could never see.)
    @Test func aRequestWhoseRecordsCannotBeWrittenLeavesNoSagaBehind() async throws {
        let fixture = try await APIFixture()
        let database = try DatabaseQueue(path: fixture.directory.path("sagas.sqlite"))
        try await database.write { db in
            try db.execute(sql: "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        try await fixture.test { client in
            let headers: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "attempt-1"]
            let body = try APIFixture.request()
            let failed = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body, headers: headers)
            #expect(failed.status == .internalServerError)
            let counts = try await database.read { db in
                try ["saga_instance", "saga_step_log", "request_owner", "idempotency_key", "audit_log"].map {
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1
                }
            }
            #expect(counts == [0, 0, 0, 0, 0], "nothing of the failed request was kept")

            try await database.write { db in try db.execute(sql: "DROP TRIGGER audit_fails") }
            let retried = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body, headers: headers)
            #expect(retried.status == .accepted)
            let id = try #require(retried.json["requestId"] as? String)
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)").status == .ok, "the recruiter sees the request")
        }
    }

    @Test func anIdempotencyKeyAnswersARepeatAndRefusesAnotherBody() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "booking-42"]
            let body = try APIFixture.request()
            let first = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body, headers: key)
            let again = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body, headers: key)
            #expect(first.status == .accepted && again.status == .accepted)
            #expect(first.json["requestId"] as? String == again.json["requestId"] as? String)
            #expect(again.headers[.location] == first.headers[.location])
            #expect(try await fixture.store.instances().count == 1)

            let other = try await fixture.send(
                client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request { $0["durationMinutes"] = 45 }, headers: key)
            #expect(other.status == .unprocessableContent && other.json["field"] as? String == "Idempotency-Key")
            #expect(other.headers[.contentType] == "application/problem+json")
            // Keys are per caller: another recruiter's same key is another request.
            let colleague = try await fixture.token(for: "colleague@example.com")
            let theirs = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body, token: colleague, headers: key)
            #expect(theirs.status == .accepted && theirs.json["requestId"] as? String != first.json["requestId"] as? String)

            let tooLong: HTTPFields = [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 201)]
            let refused = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request(), headers: tooLong)
            #expect(refused.status == .badRequest && refused.json["field"] as? String == "Idempotency-Key")
        }
    }

    /// Two first uses of one key at once, with different bodies: one is accepted, the other
    /// refused; never both accepted as one request.
    @Test func oneKeyUsedTwiceAtOnceWithDifferentBodiesAcceptsOne() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            for attempt in 0..<10 {
                let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "race-\(attempt)"]
                async let first = fixture.send(
                    client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request { $0["durationMinutes"] = 30 }, headers: key)
                async let second = fixture.send(
                    client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request { $0["durationMinutes"] = 45 }, headers: key)
                let statuses = [try await first.status, try await second.status]
                #expect(statuses.sorted { $0.code < $1.code } == [.accepted, .unprocessableContent], "\(statuses)")
            }
        }
    }

    @Test func callersWithoutAValidTokenAreRefusedAndRecruitersSeeOnlyTheirOwn() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (id, interviewID) = try await fixture.confirmedInterview(client)

            let anonymous = try await client.execute(uri: "/api/v1/scheduling-requests/\(id)", method: .get, headers: [:], body: nil)
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] == "Bearer")
            let forged = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)", token: "not.a.token")
            #expect(forged.status == .unauthorized && forged.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)

            let colleague = try await fixture.token(for: "colleague@example.com")
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/scheduling-requests/\(id)"), (.post, "/api/v1/scheduling-requests/\(id)/cancel"),
                (.get, "/api/v1/interviews/\(interviewID)"), (.get, "/api/v1/interviews/\(interviewID)/invite.ics"),
            ] {
                let answer = try await fixture.send(client, method, path, token: colleague)
                #expect(answer.status == .notFound, "\(method) \(path): not the colleague's")
                #expect((answer.json["detail"] as? String)?.hasSuffix("does not exist or is not yours") == true)
            }
            let theirList = try await fixture.send(client, .get, "/api/v1/interviews", token: colleague)
            #expect((theirList.json["interviews"] as? [Any])?.isEmpty == true)

            let admin = try await fixture.token(for: "ops@example.com", role: .admin)
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)", token: admin).status == .ok)
            #expect((try await fixture.send(client, .get, "/api/v1/interviews", token: admin).json["interviews"] as? [Any])?.count == 1)
        }
    }

    @Test func cancellingAPendingRequestUndoesItAndReportsItCancelled() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let id = try #require(
                try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request()).json["requestId"] as? String)
            try await fixture.engine.runDueWork()
            let cancelled = try await fixture.send(
                client, .post, "/api/v1/scheduling-requests/\(id)/cancel", body: ByteBuffer(string: #"{"reason": "candidate_no_show"}"#))
            #expect(cancelled.status == .accepted && cancelled.json["status"] as? String == "cancelling")
            try await fixture.engine.runDueWork()
            let shown = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)")
            #expect(shown.json["state"] as? String == "cancelled", "an abort is reported from the saga's state, not parsed from its message")
            let again = try await fixture.send(client, .post, "/api/v1/scheduling-requests/\(id)/cancel")
            #expect(again.status == .conflict)
            let audit = try await SchedulingApplication(engine: fixture.engine).auditLog(of: id)
            #expect(audit.map(\.action) == ["scheduling-request.create", "scheduling-request.cancel"])
            #expect(audit.last?.detail == "candidate_no_show")
        }
    }

    @Test func anUnknownCancelReasonIsRefusedNamingTheCatalogsReasons() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let id = try #require(
                try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try APIFixture.request()).json["requestId"] as? String)
            let refused = try await fixture.send(
                client, .post, "/api/v1/scheduling-requests/\(id)/cancel", body: ByteBuffer(string: #"{"reason": "bored"}"#))
            #expect(refused.status == .badRequest && refused.json["field"] as? String == "reason")
            #expect((refused.json["detail"] as? String)?.contains("candidate_no_show, interviewer_unavailable, technical_issues") == true)
        }
    }

    @Test func aConfirmedInterviewIsCancelledOnceAndThenCannotMove() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (id, interviewID) = try await fixture.confirmedInterview(client)
            #expect(try await fixture.send(client, .post, "/api/v1/scheduling-requests/\(id)/cancel").status == .accepted)
            #expect(
                try await fixture.send(client, .post, "/api/v1/scheduling-requests/\(id)/cancel").status == .conflict,
                "a second cancel while the first runs")
            try await fixture.engine.runDueWork()
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(id)").json["state"] as? String == "cancelled")
            let invite = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)/invite.ics")
            #expect(invite.headers[.contentType] == "text/calendar; charset=utf-8; method=CANCEL")
            let moved = try await fixture.send(client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: try Self.newWindow())
            #expect(moved.status == .conflict)
            #expect(
                try await fixture.store.outbox(sagaID: InterviewIDs.cancellation(ofRequest: id)).map(\.message.topic) == [
                    "enginedge.interview.interview.cancelled"
                ])
        }
    }

    @Test func aRescheduleMovesTheInterviewWithAHigherSequence() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let before = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json["start"] as? String
            let accepted = try await fixture.send(client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: try Self.newWindow())
            #expect(accepted.status == .accepted && accepted.json["status"] as? String == "rescheduling", "\(accepted.json)")
            try await fixture.engine.runDueWork()
            let after = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)")
            #expect(after.json["sequence"] as? Int == 1)
            #expect(after.json["start"] as? String != before)
            let badWindow = try await fixture.send(
                client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: ByteBuffer(string: #"{"window": {"start": "soon"}}"#))
            #expect(badWindow.status == .badRequest && (badWindow.json["field"] as? String)?.hasPrefix("window") == true, "\(badWindow.json)")
        }
    }

    /// Sixteen reschedules of one interview at once: the check that none is running and the
    /// start are one serialised write, so exactly one starts.
    @Test func concurrentReschedulesStartExactlyOne() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let body = try Self.newWindow()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await fixture.send(client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: body).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .accepted }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 15, "\(statuses)")
            #expect(try await fixture.store.instances(type: InterviewSagaKind.rescheduling.rawValue).count == 1)
        }
    }

    /// A cancel and a reschedule of one confirmed interview at once: one of them wins.
    @Test func aCancelAndARescheduleAtOnceDoNotBothStart() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (id, interviewID) = try await fixture.confirmedInterview(client)
            let body = try Self.newWindow()
            async let cancel = fixture.send(client, .post, "/api/v1/scheduling-requests/\(id)/cancel")
            async let move = fixture.send(client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: body)
            let statuses = [try await cancel.status, try await move.status]
            #expect(statuses.filter { $0 == .accepted }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
        }
    }

    /// A window a week later, for reschedules.
    static func newWindow() throws -> ByteBuffer {
        let formatter = ISO8601DateFormatter()
        let start = formatter.string(from: Date().addingTimeInterval(9 * 86_400)),
            end = formatter.string(from: Date().addingTimeInterval(16 * 86_400))
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["window": ["start": start, "end": end]]))
    }
}
