import Foundation
import Hummingbird
import HummingbirdTesting
import InterviewScheduling
import Logging
import Mail
import NIOFoundationEssentialsCompat
import SMTP
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

/// The candidate's e-mail (iMIP): written with the interview's change, sent by the mail
/// relay, read back by Python's `email` and `icalendar`; faults from a real SMTP server.
@Suite struct CandidateMailTests {
    /// The fixture's invitations' domain: the default.
    static let domain = "interview-scheduler.invalid"

    /// The `.eml` files the fixture's relay wrote, by Message-ID.
    static func mailFiles(_ fixture: APIFixture) throws -> [String] {
        let directory = fixture.directory.path("mail")
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    static func parsed(_ fixture: APIFixture, _ messageID: String) async throws -> ParsedMail {
        try await ParsedMail.reading(fixture.mail.transportFile(messageID, in: fixture.directory))
    }

    /// REQUEST on confirmation, REQUEST with SEQUENCE+1 on a reschedule, CANCEL on
    /// cancellation: each a message of its own, with the candidate's zone in the text.
    @Test func theCandidateIsMailedEveryVersionOfTheInvitation() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            let before = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json["invitation"] as? [String: Any]
            #expect(before?["delivery"] as? String == "pending")
            #expect(try await fixture.mail.deliverDue() == 1)
            let status = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json
            let invitation = try #require(status["invitation"] as? [String: Any], "\(status)")
            #expect(invitation["delivery"] as? String == "sent")
            #expect(invitation["messageId"] as? String == "\(interviewID).0.request@\(Self.domain)")

            let first = try await Self.parsed(fixture, "\(interviewID).0.request@\(Self.domain)")
            #expect(first.defects.isEmpty)
            #expect(first.tree.parts?.last == .init(type: "text/calendar", method: "REQUEST"))
            #expect(first.headers["To"] == "Ada Lovelace <ada@candidates.example>")
            #expect(first.headers["Subject"]?.hasPrefix("Invitation: ") == true)
            #expect(first.calendar?.method == "REQUEST" && first.calendar?.sequence == 0)
            #expect(first.calendar?.uid == "\(interviewID)@\(Self.domain)")
            #expect(first.calendar?.attendees.contains("mailto:ada@candidates.example") == true)
            let slot = try #require(status["slot"] as? [String: String])
            let start = try #require(slot["start"].flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(first.calendar.flatMap { ISO8601DateFormatter().date(from: $0.start) } == start)
            // When, in the candidate's zone (Europe/Berlin) with its offset that day; who is on the panel.
            let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
            let offset = berlin.secondsFromGMT(for: start) / 3600
            let formatter = DateFormatter()
            formatter.timeZone = berlin
            formatter.dateFormat = "HH:mm"
            let text = try #require(first.text)
            #expect(text.contains("\(formatter.string(from: start))–"), "\(text)")
            #expect(text.contains("(Europe/Berlin, UTC+0\(offset):00)"), "\(text)")
            #expect(text.contains("Panel: Grace Hopper"))
            #expect(first.html?.contains("<th align=\"left\">Panel</th><td>Grace Hopper</td>") == true)

            // Rescheduled: SEQUENCE 1, a new Message-ID.
            let moved = try await fixture.send(
                client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: try RequestLifecycleTests.newWindow())
            #expect(moved.status == .accepted)
            try await fixture.engine.runDueWork()
            #expect(try await fixture.mail.deliverDue() == 1)
            let second = try await Self.parsed(fixture, "\(interviewID).1.request@\(Self.domain)")
            #expect(second.calendar?.sequence == 1 && second.headers["Subject"]?.hasPrefix("Updated: ") == true)

            // Cancelled: METHOD:CANCEL, SEQUENCE 2.
            let cancelled = try await fixture.send(
                client, .post, "/api/v1/scheduling-requests/\(requestID)/cancel", body: ByteBuffer(string: #"{"reason": "candidate_no_show"}"#))
            #expect(cancelled.status == .accepted)
            try await fixture.engine.runDueWork()
            #expect(try await fixture.mail.deliverDue() == 1)
            let third = try await Self.parsed(fixture, "\(interviewID).2.cancel@\(Self.domain)")
            #expect(third.tree.parts?.last == .init(type: "text/calendar", method: "CANCEL"))
            #expect(third.calendar?.method == "CANCEL" && third.calendar?.sequence == 2 && third.calendar?.status == "CANCELLED")
            #expect(try Self.mailFiles(fixture).count == 3)
            #expect(try await fixture.mail.deliverDue() == 0, "nothing is sent twice")
        }
    }

    /// A version not yet sent is replaced by the next one, and a cancellation of an interview
    /// the candidate was never told about is not sent at all.
    @Test func onlyTheLatestVersionIsSentAndAnUnannouncedInterviewIsNotCancelledByMail() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            _ = try await fixture.send(client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: try RequestLifecycleTests.newWindow())
            try await fixture.engine.runDueWork()
            #expect(try await fixture.mail.deliverDue() == 1)
            #expect(try Self.mailFiles(fixture) == ["\(interviewID).1.request@\(Self.domain).eml"])

            let (otherRequest, otherInterview) = try await fixture.confirmedInterview(client)
            _ = try await fixture.send(client, .post, "/api/v1/scheduling-requests/\(otherRequest)/cancel", body: ByteBuffer(string: "{}"))
            try await fixture.engine.runDueWork()
            #expect(try await fixture.mail.deliverDue() == 0)
            let entries = try await fixture.store.read { db in try MailOutbox.entries(ofInterview: otherInterview, in: db) }
            #expect(entries.map(\.status) == [.superseded, .superseded])
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(otherRequest)").json["invitation"] == nil)
            #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json["state"] as? String == "confirmed")
        }
    }

    /// A relay over a real SMTP server with `faults`, whose clock the test moves.
    static func smtpRelay(_ fixture: APIFixture, _ server: SMTPTestServer, clock: ManualSagaClock) throws -> MailRelay {
        let transport = CurlSMTPTransport(
            settings: SMTPSettings(url: server.url, security: .none, timeout: .seconds(20)), logger: Logger(label: "smtp"))
        return MailRelay(
            store: fixture.store, transport: transport,
            policy: MailRetryPolicy(initialBackoff: .seconds(60), maximumBackoff: .seconds(600), maximumAttempts: 5),
            logger: Logger(label: "mail"), clock: { clock.now() })
    }

    /// Runs `body` with a fixture and a relay over a real SMTP server answering `faults`.
    static func withRelay(
        faults: [String],
        _ body: @escaping @Sendable (APIFixture, any TestClientProtocol, MailRelay, ManualSagaClock, SMTPTestServer) async throws -> Void
    ) async throws {
        let fixture = try await APIFixture()
        let server = try await SMTPTestServer(faults: faults)
        defer { server.stop() }
        // The saga handlers queue mail at the wall clock's time; the relay's clock starts an
        // hour ahead, so that all mail queued during the test is due on it however long a
        // loaded machine takes (it started a minute ahead, and a run that took longer than
        // that left the cancellation not yet due). Backoffs are measured on this clock alone.
        let clock = ManualSagaClock(Date().addingTimeInterval(3600))
        try await fixture.test { client in try await body(fixture, client, try Self.smtpRelay(fixture, server, clock: clock), clock, server) }
    }

    /// 451, then accepted: tried again after the backoff (not before), delivered once.
    /// A connection dropped after DATA: sent again with the same Message-ID.
    @Test(arguments: ["451", "drop"])
    func aTemporaryRefusalIsTriedAgainWithTheSameMessageID(fault: String) async throws {
        try await Self.withRelay(faults: [fault]) { fixture, client, relay, clock, server in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            #expect(try await relay.deliverDue() == 1)
            var invitation = try #require(
                try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json["invitation"] as? [String: Any])
            #expect(invitation["delivery"] as? String == "pending" && invitation["attempts"] as? Int == 1)
            // 451 is the refusal; a dropped connection's last reply was DATA's 354 go-ahead.
            #expect((invitation["error"] as? String)?.contains(fault == "451" ? "answered 451" : "answered 354") == true, "\(invitation)")
            #expect(try await relay.deliverDue() == 0, "not before the backoff")
            clock.advance(by: 61)
            #expect(try await relay.deliverDue() == 1)
            invitation = try #require(
                try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json["invitation"] as? [String: Any])
            #expect(invitation["delivery"] as? String == "sent" && invitation["attempts"] as? Int == 2)
            let received = try server.received()
            #expect(received.map(\.reply) == [fault, "ok"])
            #expect(Set(received.map(\.messageId)) == ["<\(interviewID).0.request@\(Self.domain)>"])
            #expect(try await ParsedMail.reading(server.file(2)).calendar?.sequence == 0)
        }
    }

    /// 550: the booking stands; the request shows the invitation undelivered, and
    /// `error.occurred` (valid against schemas/) says so.
    @Test func aPermanentRefusalMarksTheInvitationUndeliveredAndIsAnnounced() async throws {
        try await Self.withRelay(faults: ["550"]) { fixture, client, relay, clock, server in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            #expect(try await relay.deliverDue() == 1)
            let status = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json
            #expect(status["state"] as? String == "confirmed", "the booking stands")
            let invitation = try #require(status["invitation"] as? [String: Any])
            #expect(invitation["delivery"] as? String == "undelivered")
            #expect((invitation["error"] as? String)?.contains("550") == true)
            let interview = try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)").json
            #expect(interview["invitationDelivery"] as? String == "undelivered", "the interview is marked too")
            clock.advance(by: 3600)
            #expect(try await relay.deliverDue() == 0, "never tried again")
            let announced = try await fixture.store.outbox(sagaID: requestID).filter { $0.message.topic == "enginedge.interview.error.occurred" }
            let message = try #require(announced.first)
            #expect(announced.count == 1)
            let payload = String(decoding: message.message.payload, as: UTF8.self)
            #expect(payload.contains("INVITATION_UNDELIVERABLE") && payload.contains(interviewID))
            let validation = try await ChildProcess(
                executable: ChildProcess.onPath("python3"),
                arguments: [BuiltProducts.repositoryRoot.appendingPathComponent("scripts/validate_events.py").path, "-"]
            ).run(input: Data((payload + "\n").utf8))
            #expect(validation.status == 0, "\(validation.standardOutput)\(validation.standardError)")
            #expect(try server.received().count == 1)
        }
    }

    /// A version being sent when a newer one is queued is not sent again after a temporary
    /// refusal, and the newer one waits until the older one's attempt has ended.
    @Test func versionsGoOutInOrderAndARefusedOldOneIsNotRetriedOnceANewerOneExists() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let first = "\(interviewID).0.request@\(Self.domain)", second = "\(interviewID).1.request@\(Self.domain)"
            #expect(try await fixture.store.write { db in try MailOutbox.claim(first, in: db) }, "the relay is sending version 0")
            _ = try await fixture.send(client, .post, "/api/v1/interviews/\(interviewID)/reschedule", body: try RequestLifecycleTests.newWindow())
            try await fixture.engine.runDueWork()
            #expect(try await fixture.store.write { db in try MailOutbox.claim(second, in: db) } == false, "version 1 waits for version 0")
            try await fixture.store.write { db in try MailOutbox.retry(first, at: Date(), error: "451", in: db) }
            #expect(try await fixture.mail.deliverDue() == 1)
            let entries = try await fixture.store.read { db in try MailOutbox.entries(ofInterview: interviewID, in: db) }
            #expect(entries.map(\.status) == [.superseded, .sent])
            #expect(try Self.mailFiles(fixture) == ["\(second).eml"])
        }
    }

    /// After a connection lost after DATA the invitation may have arrived: a cancellation is
    /// mailed, not dropped as news to nobody.
    @Test func aCancellationFollowsAnInvitationThatMayHaveArrived() async throws {
        try await Self.withRelay(faults: ["drop"]) { fixture, client, relay, clock, server in
            let (requestID, interviewID) = try await fixture.confirmedInterview(client)
            #expect(try await relay.deliverDue() == 1)
            _ = try await fixture.send(client, .post, "/api/v1/scheduling-requests/\(requestID)/cancel", body: ByteBuffer(string: "{}"))
            try await fixture.engine.runDueWork()
            #expect(try await relay.deliverDue() == 1)
            let entries = try await fixture.store.read { db in try MailOutbox.entries(ofInterview: interviewID, in: db) }
            #expect(entries.map(\.status) == [.superseded, .sent])
            #expect(
                try server.received().map(\.messageId) == ["<\(interviewID).0.request@\(Self.domain)>", "<\(interviewID).1.cancel@\(Self.domain)>"])
        }
    }

    /// An address the API takes but SMTP cannot carry without SMTPUTF8: the booking stands,
    /// the invitation is undelivered and announced.
    @Test func anAddressMailCannotCarryLeavesTheBookingStanding() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let body = try APIFixture.request {
                $0["candidate"] = ["id": "cand-zoe", "name": "Zoë", "email": "zoë@example.com", "timeZone": "Europe/Paris"]
            }
            let accepted = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body)
            let requestID = try #require(accepted.json["requestId"] as? String, "\(accepted.json)")
            try await fixture.confirm(requestID)
            let status = try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json
            #expect(status["state"] as? String == "confirmed", "\(status)")
            let invitation = try #require(status["invitation"] as? [String: Any])
            #expect(invitation["delivery"] as? String == "undelivered")
            #expect((invitation["error"] as? String)?.contains("zoë@example.com") == true)
            #expect(try await fixture.mail.deliverDue() == 0)
            let announced = try await fixture.store.outbox(sagaID: requestID).filter { $0.message.topic == "enginedge.interview.error.occurred" }
            #expect(announced.count == 1)
        }
    }

    /// A message claimed by a relay that stopped before it knew the outcome (a crash) is sent
    /// again by the next one, with the same Message-ID.
    @Test func aMessageClaimedBeforeACrashIsSentAgain() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let (_, interviewID) = try await fixture.confirmedInterview(client)
            let messageID = "\(interviewID).0.request@\(Self.domain)"
            #expect(try await fixture.store.write { db in try MailOutbox.claim(messageID, in: db) })
            #expect(try await fixture.mail.deliverDue() == 1)
            let entries = try await fixture.store.read { db in try MailOutbox.entries(ofInterview: interviewID, in: db) }
            #expect(entries.map(\.status) == [.sent] && entries.first?.attempts == 2)
            #expect(try Self.mailFiles(fixture) == ["\(messageID).eml"])
        }
    }
}

extension MailRelay {
    /// Where the fixture's directory transport put `messageID`.
    func transportFile(_ messageID: String, in directory: TemporaryDirectory) -> URL {
        MailDirectoryTransport(directory: directory.url.appendingPathComponent("mail")).file(for: messageID)
    }
}
