import Foundation
import Hummingbird
import HummingbirdTesting
import InterviewScheduling
import NIOFoundationEssentialsCompat
import SagaCore
import SagaEngine
import SagaStore
import SchedulerHTTP
import SchedulerTesting
import Testing

/// The candidate's page and their answers, through the router (real SQLite, local calendars).
@Suite struct CandidatePageTests {
    static func token(_ fixture: APIFixture, _ interviewID: String, expiring: Date = Date().addingTimeInterval(86_400)) async throws -> String {
        try #require(await fixture.links.token(forInterview: interviewID, expiring: expiring))
    }

    /// Days as the page's date fields write them, in the fixture candidate's zone.
    static var berlinDays: DateFormatter {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Europe/Berlin")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    static func post(_ client: some TestClientProtocol, _ path: String, form: String) async throws -> TestResponse {
        try await client.execute(
            uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form))
    }

    /// The `interview.updated` messages of the interview's request, as JSON text.
    static func updates(_ fixture: APIFixture, _ requestID: String) async throws -> [String] {
        try await fixture.store.outbox(sagaID: requestID).filter { $0.message.topic == "enginedge.interview.interview.updated" }
            .map { String(decoding: $0.message.payload, as: UTF8.self) }
    }

    @Test func theCandidateSeesTheirInterviewAndDeclinesIt() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            // The e-mail carries the personal link.
            try await fixture.mail.deliverDue()
            let mail = try await ParsedMail.reading(
                fixture.directory.url.appendingPathComponent("mail/\(interviewID).0.request@interview-scheduler.invalid.eml"))
            #expect(mail.text?.contains("Answer: http://candidates.example/candidate/") == true, "\(mail.text ?? "")")

            let token = try await Self.token(fixture, interviewID)
            let page = try await client.execute(uri: "/candidate/\(token)", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.headers[.cacheControl] == "no-store")
            let html = String(buffer: page.body)
            #expect(html.contains("(Europe/Berlin, UTC+0"), "the time in the candidate's zone with its offset")
            #expect(html.contains("Grace Hopper") && html.contains("not given yet") && !html.contains("<script"))

            let declined = try await Self.post(client, "/candidate/\(token)", form: "answer=decline")
            #expect(declined.status == .seeOther)
            #expect(declined.headers[.location] == "\(token)?done=declined", "relative: a proxy's path prefix is kept")
            let after = String(buffer: try await client.execute(uri: "/candidate/\(token)?done=declined", method: .get).body)
            #expect(after.contains("You declined the interview") && after.contains("<dd>declined</dd>"))
            let updates = try await Self.updates(fixture, requestID)
            #expect(updates.count == 1)
            #expect(updates.first?.contains(#""candidateResponse":{"new":"declined","old":"needs-action"}"#) == true, "\(updates)")
            let validation = try await ChildProcess(
                executable: ChildProcess.onPath("python3"),
                arguments: [BuiltProducts.repositoryRoot.appendingPathComponent("scripts/validate_events.py").path, "-"]
            ).run(input: Data((updates.joined(separator: "\n") + "\n").utf8))
            #expect(validation.status == 0, "\(validation.standardOutput)\(validation.standardError)")

            // The same answer again announces nothing; a change of mind does, with the old value.
            _ = try await Self.post(client, "/candidate/\(token)", form: "answer=decline")
            #expect(try await Self.updates(fixture, requestID).count == 1)
            _ = try await Self.post(client, "/candidate/\(token)", form: "answer=accept")
            let changed = try await Self.updates(fixture, requestID)
            #expect(changed.count == 2 && changed.last?.contains(#""old":"declined""#) == true)
            let audit = try await fixture.store.read { db in try InterviewRecords.auditLog(target: interviewID, in: db) }
            #expect(audit.filter { $0.action == "interview.candidate-response" }.count == 2)
        }
    }

    /// A link opens one interview, unaltered, unexpired, and is not an API token (nor the reverse).
    @Test func onlyAValidLinkOpensThePage() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let token = try await Self.token(fixture, interviewID)
            let expired = try await Self.token(fixture, interviewID, expiring: Date().addingTimeInterval(-60))
            // A character of the signature's middle: the last one's low bits are padding.
            var characters = Array(token)
            let middle = characters.count - 20
            characters[middle] = characters[middle] == "A" ? "B" : "A"
            let altered = String(characters)
            for bad in [expired, altered, fixture.token, "not-a-token", String(repeating: "x", count: 5000)] {
                let page = try await client.execute(uri: "/candidate/\(bad)", method: .get)
                #expect(page.status == .notFound)
                #expect(String(buffer: page.body).contains("not valid or has expired"))
                #expect(try await Self.post(client, "/candidate/\(bad)", form: "answer=decline").status == .notFound)
            }
            // The link is not a bearer token for the API.
            let api = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)", token: token)
            #expect(api.status == .unauthorized)
            #expect(try await client.execute(uri: "/candidate/\(token)", method: .get).status == .ok)
        }
    }

    /// "Another time" starts a reschedule inside the recruiter's window; outside it is refused.
    @Test func anotherTimeReschedulesWithinTheOfferedWindow() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let token = try await Self.token(fixture, interviewID)
            let formatter = Self.berlinDays
            let outside = try await Self.post(
                client, "/candidate/\(token)",
                form:
                    "answer=another-time&from=\(formatter.string(from: Date().addingTimeInterval(20 * 86_400)))&to=\(formatter.string(from: Date().addingTimeInterval(25 * 86_400)))"
            )
            #expect(outside.status == .badRequest)
            #expect(String(buffer: outside.body).contains("the times the recruiter offered"))
            let from = formatter.string(from: Date().addingTimeInterval(3 * 86_400)),
                to = formatter.string(from: Date().addingTimeInterval(6 * 86_400))
            let asked = try await Self.post(client, "/candidate/\(token)", form: "answer=another-time&from=\(from)&to=\(to)")
            #expect(asked.status == .seeOther, "\(String(buffer: asked.body))")
            #expect(String(buffer: try await client.execute(uri: "/candidate/\(token)", method: .get).body).contains("A new time is being found"))
            try await fixture.engine.runDueWork()
            let moved = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json
            #expect(moved["sequence"] as? Int == 1)
            let start = try #require((moved["start"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(formatter.string(from: start) >= from && formatter.string(from: start) <= to, "inside the days asked for")
            let audit = try await fixture.store.read { db in try InterviewRecords.auditLog(target: interviewID, in: db) }
            #expect(audit.contains { $0.action == "interview.reschedule" && $0.actor == "candidate:cand-ada" })
        }
    }

    /// What a mail client sends back: an iTIP REPLY with the candidate's PARTSTAT.
    @Test func anITIPReplyRecordsTheAnswer() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            let token = try await Self.token(fixture, interviewID)
            func reply(_ partstat: String, attendee: String = "ada@candidates.example", sequence: Int = 0, method: String = "REPLY") -> ByteBuffer {
                ByteBuffer(
                    string: [
                        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mail client//EN", "METHOD:\(method)", "BEGIN:VEVENT",
                        "UID:\(interviewID)@interview-scheduler.invalid", "SEQUENCE:\(sequence)", "DTSTAMP:20261201T090000Z",
                        "ORGANIZER:mailto:interviews@scheduler.example", "ATTENDEE;PARTSTAT=\(partstat);CN=Ada Lovelace:mailto:\(attendee)",
                        "END:VEVENT", "END:VCALENDAR", "",
                    ].joined(separator: "\r\n"))
            }
            func send(_ body: ByteBuffer) async throws -> TestResponse {
                try await client.execute(
                    uri: "/candidate/\(token)/reply", method: .post, headers: [.contentType: "text/calendar; method=REPLY"], body: body)
            }
            let accepted = try await send(reply("ACCEPTED"))
            #expect(accepted.status == .ok)
            #expect(accepted.json["candidateResponse"] as? String == "accepted")
            #expect(try await Self.updates(fixture, requestID).first?.contains(#""new":"accepted""#) == true)
            #expect(try await send(reply("DECLINED", attendee: "mallory@example.com")).json["field"] as? String == "ATTENDEE")
            #expect(try await send(reply("DECLINED", sequence: 3)).status == .conflict)
            #expect(try await send(reply("DECLINED", method: "REQUEST")).status == .badRequest)
            #expect(try await send(reply("DELEGATED")).json["field"] as? String == "PARTSTAT")
            #expect(try await send(ByteBuffer(string: "not a calendar")).status == .badRequest)
            #expect(try await Self.updates(fixture, requestID).count == 1, "nothing but the one acceptance was recorded")
        }
    }
}

extension CandidatePageTests {
    /// The page's own pre-filled days (the first and last the recruiter offered) are taken,
    /// cut to the offered window; a reschedule resets the answer, and a page loaded before it
    /// cannot answer the new time.
    @Test func theOfferedDaysWorkAndAnAnswerBelongsToOneVersion() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let token = try await Self.token(fixture, interviewID)
            _ = try await Self.post(client, "/candidate/\(token)", form: "answer=accept&sequence=0")
            #expect(try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json["candidateResponse"] as? String == "accepted")
            let html = String(buffer: try await client.execute(uri: "/candidate/\(token)", method: .get).body)
            func value(_ name: String) -> String? {
                guard let range = html.range(of: "name=\"\(name)\" required min=\"") else { return nil }
                let rest = html[range.upperBound...]
                guard let valueRange = rest.range(of: "value=\"") else { return nil }
                return String(rest[valueRange.upperBound...].prefix(10))
            }
            let from = try #require(value("from")), to = try #require(value("to"))
            let asked = try await Self.post(client, "/candidate/\(token)", form: "answer=another-time&from=\(from)&to=\(to)")
            #expect(asked.status == .seeOther, "\(String(buffer: asked.body))")
            try await fixture.engine.runDueWork()
            let moved = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json
            #expect(moved["sequence"] as? Int == 1)
            #expect(moved["candidateResponse"] as? String == "needs-action", "the new time has not been answered")
            // The page as it was before the move answers version 0: refused, nothing recorded.
            let stale = try await Self.post(client, "/candidate/\(token)", form: "answer=decline&sequence=0")
            #expect(stale.status == .conflict)
            #expect(String(buffer: stale.body).contains("has changed since"))
            #expect(try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json["candidateResponse"] as? String == "needs-action")
        }
    }

    /// A link holder cannot move the panel's calendars again and again.
    @Test func anotherTimeIsCapped() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let token = try await Self.token(fixture, interviewID)
            let formatter = Self.berlinDays
            let form =
                "answer=another-time&from=\(formatter.string(from: Date().addingTimeInterval(2 * 86_400)))&to=\(formatter.string(from: Date().addingTimeInterval(7 * 86_400)))"
            for _ in 0..<SchedulingApplication.maximumCandidateReschedules {
                #expect(try await Self.post(client, "/candidate/\(token)", form: form).status == .seeOther)
                try await fixture.engine.runDueWork()
            }
            let refused = try await Self.post(client, "/candidate/\(token)", form: form)
            #expect(refused.status == .conflict)
            #expect(String(buffer: refused.body).contains("contact the recruiter"))
        }
    }
}
