import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InterviewScheduling
import NIOFoundationEssentialsCompat
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

/// `POST /api/v1/candidates/{id}/erasure`, through the router, real SQLite and the local
/// calendar provider, with the sagas run by hand.
@Suite("Candidate erasure")
struct CandidateErasureTests {
    static let name = "Zebulon Ångström-Quixotic"
    static let email = "Zebulon.Q@erase-me.example"
    static let freeText = "Zebulon prefers mornings; ask about the Perth role"
    static let candidateID = "cand-zebulon"

    static func candidateRequest() throws -> ByteBuffer {
        try APIFixture.request {
            $0["candidate"] = ["id": candidateID, "name": name, "email": email, "timeZone": "Europe/Berlin"]
            $0["description"] = freeText
            $0["title"] = "Final round with Zebulon"
            $0["location"] = "Perth office, desk of Zebulon"
        }
    }

    /// Every byte of the database files: the service's (main file and WAL) and the local
    /// calendar provider's.
    static func bytes(of directory: TemporaryDirectory) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        where name.hasPrefix("sagas.sqlite") || name.hasPrefix("calendars.sqlite") {
            files[name] = try Data(contentsOf: directory.url.appendingPathComponent(name))
        }
        return files
    }

    /// Every `.eml` file the mail directory holds, by name.
    static func mailFiles(of directory: TemporaryDirectory) throws -> [String: Data] {
        let mail = directory.url.appendingPathComponent("mail")
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: mail.path)) ?? [] {
            files["mail/" + name] = try Data(contentsOf: mail.appendingPathComponent(name))
        }
        return files
    }

    /// The strings that must be gone, in the forms they were written in.
    static let traces = [name, email, email.lowercased(), "Zebulon", "Ångström", "erase-me.example", "Perth", "Final round"]

    static func found(in files: [String: Data]) -> [String] {
        files.flatMap { file, data in traces.filter { data.range(of: Data($0.utf8)) != nil }.map { "\($0) in \(file)" } }
    }

    /// Runs the sagas until the erasure has finished (its first step waits, with backoff,
    /// for the cancellations it started).
    static func runUntilErased(_ fixture: APIFixture, _ client: some TestClientProtocol, admin: String) async throws -> [String: Any] {
        var status: [String: Any] = [:]
        let finished = try await eventually(60) {
            try await fixture.engine.runDueWork()
            try await fixture.mail.deliverDue()
            status = try await fixture.send(client, .get, "/api/v1/candidates/\(candidateID)/erasure", token: admin).json
            return status["state"] as? String != "running"
        }
        #expect(finished, "\(status)")
        return status
    }

    @Test func anErasureLeavesNoByteOfTheCandidateInTheDatabaseFiles() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let admin = try await fixture.token(for: "dpo@example.com", role: .admin)
            // A confirmed interview, rescheduled; a second request still waiting for availability.
            let first = try await fixture.send(
                client, .post, "/api/v1/scheduling-requests", body: try Self.candidateRequest(), headers: [.init("Idempotency-Key")!: "zeb-1"])
            let requestID = try #require(first.json["requestId"] as? String)
            try await fixture.confirm(requestID)
            let interviewID = InterviewIDs.interview(forRequest: requestID)
            let moved = try await fixture.send(
                client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: try RequestLifecycleTests.newWindow())
            #expect(moved.status == .accepted)
            try await fixture.engine.runDueWork()
            #expect(try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json["sequence"] as? Int == 1)
            let second = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try Self.candidateRequest())
            let waitingID = try #require(second.json["requestId"] as? String)
            // Another candidate's interview, whose e-mail must stay.
            let (otherRequest, _) = try await fixture.confirmedInterview(client)
            try await fixture.engine.runDueWork()
            #expect(!Self.found(in: try Self.bytes(of: fixture.directory)).isEmpty, "the candidate is in the files before")
            try await fixture.mail.deliverDue()
            #expect(!Self.found(in: try Self.mailFiles(of: fixture.directory)).isEmpty, "and in their e-mail's files")
            let othersMail = try Self.mailFiles(of: fixture.directory).filter {
                $0.key.hasPrefix("mail/" + InterviewIDs.interview(forRequest: otherRequest) + ".")
            }
            #expect(othersMail.count == 1, "\(othersMail.keys)")

            // Recruiters may not erase; the admin's erasure answers the same however often it is asked.
            let refused = try await fixture.send(client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure")
            #expect(refused.status == .forbidden)
            let accepted = try await fixture.send(client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", token: admin)
            #expect(accepted.status == .accepted, "\(accepted.json)")
            let status = try await Self.runUntilErased(fixture, client, admin: admin)
            #expect(status["state"] as? String == "completed", "\(status)")
            #expect(status["sagasErased"] as? Int == 4, "two requests, a reschedule, a cancellation: \(status)")
            let again = try await fixture.send(client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", token: admin)
            #expect(again.status == .accepted)
            #expect(NSDictionary(dictionary: again.json) == NSDictionary(dictionary: status), "a second erasure is a no-op with the same answer")

            // A request for the candidate after the erasure is a new application: accepted, and
            // asking for an erasure again erases it too (a new erasure), then answers the same.
            let later = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try Self.candidateRequest())
            #expect(later.status == .accepted)
            try await fixture.confirm(try #require(later.json["requestId"] as? String))
            let renewed = try await fixture.send(client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", token: admin)
            #expect(renewed.json["erasureId"] as? String != status["erasureId"] as? String, "\(renewed.json)")
            #expect(try await Self.runUntilErased(fixture, client, admin: admin)["state"] as? String == "completed")

            // What is ahead was stopped first, with the usual CANCEL.
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json["state"] as? String == "cancelled")
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(waitingID)").json["state"] as? String == "cancelled")
            let cancelled = try await fixture.store.outbox(sagaID: InterviewIDs.cancellation(ofRequest: requestID))
            #expect(cancelled.map(\.message.topic) == ["enginedge.interview.interview.cancelled"])
            #expect(try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)/invite.ics").status == .notFound)

            // Not a byte of the candidate is left in the database's files (main file and WAL),
            // nor in the mail directory, which kept each e-mail to them as a file.
            #expect(Self.found(in: try Self.bytes(of: fixture.directory)) == [])
            #expect(Self.found(in: try Self.mailFiles(of: fixture.directory)) == [])
            let mailAfter = try Self.mailFiles(of: fixture.directory)
            #expect(othersMail.allSatisfy { mailAfter[$0.key] == $0.value }, "the other candidate's e-mail is kept: \(mailAfter.keys)")
            // The interviewers' calendars no longer name them either.
            let events = try await DatabaseQueue(path: fixture.directory.path("calendars.sqlite")).read { db in
                try String.fetchAll(db, sql: "SELECT title || ' ' || description FROM local_event")
            }
            #expect(events.allSatisfy { text in !Self.traces.contains { text.contains($0) } }, "\(events)")

            // An operator sees who erased whom and when, not what.
            let audit = try await fixture.store.read { db in try InterviewRecords.auditLog(target: Self.candidateID, in: db) }
            let tombstone = try #require(audit.first { $0.action == "candidate.erasure" })
            #expect(tombstone.actor == "dpo@example.com" && tombstone.detail.contains("requests: 2"))
        }
    }

    @Test func anErasureCanLeaveTheInterviewsAheadBookedAndRefusesUnknownBodies() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let admin = try await fixture.token(for: "dpo@example.com", role: .admin)
            let created = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try Self.candidateRequest())
            let requestID = try #require(created.json["requestId"] as? String)
            try await fixture.confirm(requestID)
            let bad = try await fixture.send(
                client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", body: ByteBuffer(string: #"{"cancelFutureInterviews": "no"}"#),
                token: admin)
            #expect(bad.status == .badRequest)
            let recruiterWithBadBody = try await fixture.send(
                client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", body: ByteBuffer(string: "not json"))
            #expect(recruiterWithBadBody.status == .forbidden, "the role is checked before the body")
            for body in [
                #"{"cancelFutureInterviews": null}"#, #"{"cancelFutureInterviews": 1}"#, #"{"cancelFutureInterview": false}"#, "[]", "not json",
            ] {
                let refused = try await fixture.send(
                    client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", body: ByteBuffer(string: body), token: admin)
                #expect(refused.status == .badRequest, "\(body)")
            }
            let accepted = try await fixture.send(
                client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", body: ByteBuffer(string: #"{"cancelFutureInterviews": false}"#),
                token: admin)
            #expect(accepted.status == .accepted)
            let during = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try Self.candidateRequest())
            #expect(during.status == .conflict, "no new request for a candidate while they are being erased")
            #expect(try await Self.runUntilErased(fixture, client, admin: admin)["state"] as? String == "completed")
            let interviewID = InterviewIDs.interview(forRequest: requestID)
            let interview = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json
            #expect(interview["status"] as? String == "confirmed", "left booked, as asked")
            #expect(Self.found(in: try Self.bytes(of: fixture.directory)) == [])
            // The page link in the e-mails sent before is still signed, but leads nowhere: it
            // neither shows what is left nor answers, nor asks for another time.
            let link = "/candidate/\(try await CandidatePageTests.token(fixture, interviewID))"
            #expect(try await client.execute(uri: link, method: .get).status == .notFound)
            let days = CandidatePageTests.berlinDays
            let (from, to) = (days.string(from: Date().addingTimeInterval(20 * 86_400)), days.string(from: Date().addingTimeInterval(25 * 86_400)))
            for form in ["answer=decline", "answer=accept", "answer=another-time&from=\(from)&to=\(to)"] {
                #expect(try await CandidatePageTests.post(client, link, form: form).status == .notFound, "\(form)")
            }
            #expect(try await CandidatePageTests.updates(fixture, requestID).isEmpty, "nothing announced")
            #expect(
                try await fixture.send(client, .get, "/api/v1/candidates/nobody/erasure", token: admin).status == .notFound,
                "no erasure of a candidate nobody asked to erase")
        }
    }

    /// Ten admins ask at the same moment: one erasure starts, and all ten get its answer.
    @Test func erasuresAskedForAtOnceStartOne() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let admin = try await fixture.token(for: "dpo@example.com", role: .admin)
            let created = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: try Self.candidateRequest())
            try await fixture.confirm(try #require(created.json["requestId"] as? String))
            let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let answer = try await fixture.send(client, .post, "/api/v1/candidates/\(Self.candidateID)/erasure", token: admin)
                        return (Int(answer.status.code), answer.json["erasureId"] as? String)
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == 202 }, "\(answers)")
            #expect(Set(answers.map(\.1)).count == 1, "\(answers)")
            let started = try await fixture.store.read { db in
                try InterviewRecords.auditLog(target: Self.candidateID, in: db).filter { $0.action == "candidate.erasure.requested" }.count
            }
            #expect(started == 1)
            #expect(try await Self.runUntilErased(fixture, client, admin: admin)["state"] as? String == "completed")
        }
    }
}
