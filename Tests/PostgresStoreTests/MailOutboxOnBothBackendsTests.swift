import Foundation
import ICalendar
import InterviewScheduling
import Mail
import SagaCore
import SchedulingCore
import Testing

/// The candidate's mail outbox, asserted alike of SQLite and PostgreSQL: a message queued once
/// per Message-ID, a newer version replacing the pending older ones, a CANCEL sent only to a
/// candidate who may have had the invitation, versions handed over in order, a message left
/// `sending` by a stopped sender claimed again, an address mail cannot carry recorded and
/// announced; and on PostgreSQL, versions queued, claimed and put back by two instances at once
/// still go out in order.
@Suite("Candidate mail outbox on SQLite and PostgreSQL")
struct MailOutboxOnBothBackendsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func mail(
        _ interviewID: String, sequence: Int, _ method: Invitation.Method = .request, candidate email: String = "cand@x.example"
    ) throws -> CandidateMail {
        let request = try JSONDecoder().decode(
            SchedulingRequestBody.self,
            from: Data(
                """
                {"candidate": {"id": "cand-1", "name": "Cand", "email": "\(email)", "timeZone": "Europe/London"},
                 "interviewers": [{"name": "A", "email": "a@x.example", "timeZone": "Europe/London"}],
                 "durationMinutes": 60, "window": {"start": "2027-03-01T09:00:00Z", "end": "2027-03-05T17:00:00Z"}}
                """.utf8))
        let start = Instant(secondsSinceEpoch: 1_804_000_000)
        return CandidateMail(
            request: request, interviewID: interviewID, slot: Interval(start: start, end: start + .seconds(3600)), sequence: sequence,
            method: method, calendar: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", organizer: try MailAddress("interviews@scheduler.example"),
            domain: "scheduler.example", date: now)
    }

    static func statuses(_ outbox: any MailOutboxBackend, _ interviewID: String) async throws -> [MailOutbox.Status] {
        try await outbox.entries(ofInterview: interviewID).map(\.status)
    }

    @Test(arguments: Backend.allCases)
    func aMessageIsQueuedOnceAndANewerVersionReplacesThePendingOnes(backend: Backend) async throws {
        let (outbox, close) = try await backend.openMailOutbox()
        defer { close() }
        let first = try Self.mail("iv-1", sequence: 0)
        try await outbox.queue(first, at: Self.now, instance: 0)
        try await outbox.queue(first, at: Self.now, instance: outbox.instances - 1)
        #expect(try await Self.statuses(outbox, "iv-1") == [.pending], "one row per Message-ID")
        let entry = try #require(try await outbox.entries(ofInterview: "iv-1").first)
        #expect(entry.messageID == first.messageID && entry.mail.recipients == ["cand@x.example"] && entry.attempts == 0)
        #expect(String(decoding: entry.mail.content, as: UTF8.self).contains("Message-ID: <\(first.messageID)>"))
        try await outbox.queue(try Self.mail("iv-1", sequence: 1), at: Self.now, instance: 0)
        #expect(try await Self.statuses(outbox, "iv-1") == [.superseded, .pending])
        #expect(try await outbox.due(at: Self.now, limit: 10).map(\.sequence) == [1])
        #expect(try await outbox.due(at: Self.now - 1, limit: 10).isEmpty)
        #expect(try await outbox.nextAttempt() == Self.now)
        #expect(try await outbox.backlog() == 1)
    }

    @Test(arguments: Backend.allCases)
    func aCancelIsSentOnlyToACandidateWhoMayHaveHadTheInvitation(backend: Backend) async throws {
        let (outbox, close) = try await backend.openMailOutbox()
        defer { close() }
        try await outbox.queue(try Self.mail("never-told", sequence: 0), at: Self.now, instance: 0)
        try await outbox.queue(try Self.mail("never-told", sequence: 1, .cancel), at: Self.now, instance: 0)
        #expect(try await Self.statuses(outbox, "never-told") == [.superseded, .superseded], "neither is sent")

        let invitation = try Self.mail("told", sequence: 0)
        try await outbox.queue(invitation, at: Self.now, instance: 0)
        #expect(try await outbox.claim(invitation.messageID, instance: 0))
        try await outbox.markSent(invitation.messageID, at: Self.now)
        try await outbox.queue(try Self.mail("told", sequence: 1, .cancel), at: Self.now, instance: 0)
        #expect(try await Self.statuses(outbox, "told") == [.sent, .pending])

        // Being sent, or tried before: a connection lost after DATA may have delivered it.
        let beingSent = try Self.mail("being-sent", sequence: 0)
        try await outbox.queue(beingSent, at: Self.now, instance: 0)
        #expect(try await outbox.claim(beingSent.messageID, instance: 0))
        try await outbox.queue(try Self.mail("being-sent", sequence: 1, .cancel), at: Self.now, instance: 0)
        #expect(try await Self.statuses(outbox, "being-sent") == [.sending, .pending])
        let tried = try Self.mail("tried", sequence: 0)
        try await outbox.queue(tried, at: Self.now, instance: 0)
        #expect(try await outbox.claim(tried.messageID, instance: 0))
        try await outbox.retry(tried.messageID, at: Self.now, error: "421 closing")
        try await outbox.queue(try Self.mail("tried", sequence: 1, .cancel), at: Self.now, instance: 0)
        #expect(try await Self.statuses(outbox, "tried") == [.superseded, .pending])
    }

    @Test(arguments: Backend.allCases)
    func versionsAreHandedOverInOrder(backend: Backend) async throws {
        let (outbox, close) = try await backend.openMailOutbox()
        defer { close() }
        let first = try Self.mail("iv-1", sequence: 0)
        let second = try Self.mail("iv-1", sequence: 1)
        try await outbox.queue(first, at: Self.now, instance: 0)
        #expect(try await outbox.claim(first.messageID, instance: 0))
        try await outbox.queue(second, at: Self.now, instance: 0)
        #expect(try await Self.statuses(outbox, "iv-1") == [.sending, .pending], "a version being sent is not replaced")
        #expect(try await outbox.claim(second.messageID, instance: outbox.instances - 1) == false, "version 1 waits for version 0")
        try await outbox.retry(first.messageID, at: Self.now + 60, error: "451 try later")
        #expect(try await Self.statuses(outbox, "iv-1") == [.superseded, .pending], "a refused old version gives way to the newer one")
        #expect(try await outbox.claim(second.messageID, instance: 0))
        try await outbox.markSent(second.messageID, at: Self.now)
        #expect(try await Self.statuses(outbox, "iv-1") == [.superseded, .sent])
        #expect(try await outbox.backlog() == 0)
        #expect(try await outbox.nextAttempt() == nil)

        let alone = try Self.mail("iv-2", sequence: 0)
        try await outbox.queue(alone, at: Self.now, instance: 0)
        #expect(try await outbox.claim(alone.messageID, instance: 0))
        try await outbox.retry(alone.messageID, at: Self.now + 60, error: "451 try later")
        let retried = try #require(try await outbox.entries(ofInterview: "iv-2").first)
        #expect(retried.status == .pending && retried.nextAttemptAt == Self.now + 60 && retried.lastError == "451 try later" && retried.attempts == 1)
        #expect(try await outbox.due(at: Self.now, limit: 10).isEmpty)
        #expect(try await outbox.nextAttempt() == Self.now + 60)
        try await outbox.markUndeliverable(alone.messageID, error: "550 no such user")
        #expect(try await Self.statuses(outbox, "iv-2") == [.undeliverable])
        #expect(try await outbox.backlog() == 0)
    }

    @Test(arguments: Backend.allCases)
    func aMessageLeftSendingByAStoppedSenderIsClaimedAgain(backend: Backend) async throws {
        let (outbox, close) = try await backend.openMailOutbox()
        defer { close() }
        let mail = try Self.mail("iv-1", sequence: 0)
        try await outbox.queue(mail, at: Self.now, instance: 0)
        #expect(try await outbox.claim(mail.messageID, instance: 0))
        #expect(try await outbox.due(at: Self.now, limit: 10).map(\.status) == [.sending])
        #expect(try await outbox.claim(mail.messageID, instance: outbox.instances - 1))
        #expect(try await outbox.entries(ofInterview: "iv-1").map(\.attempts) == [2])
        #expect(try await outbox.claim("no-such-message", instance: 0) == false)
    }

    @Test(arguments: Backend.allCases)
    func anAddressMailCannotCarryIsRecordedAsUndeliverableAndAnnouncedOnce(backend: Backend) async throws {
        let (outbox, close) = try await backend.openMailOutbox()
        defer { close() }
        try await outbox.insert(
            InterviewRecord(
                id: "iv-z", requestID: "req-z", candidateID: "cand-z", owner: "r",
                slot: Interval(start: .init(secondsSinceEpoch: 0), end: .init(secondsSinceEpoch: 60)),
                status: .confirmed, sequence: 0, inviteRequest: "", inviteCancel: nil, bookings: [], createdAt: 0))
        let mail = try Self.mail("iv-z", sequence: 0, candidate: "zoë@example.com")
        try await outbox.queue(mail, at: Self.now, instance: 0)
        try await outbox.queue(mail, at: Self.now, instance: outbox.instances - 1)
        let entry = try #require(try await outbox.entries(ofInterview: "iv-z").first)
        #expect(entry.status == .undeliverable && entry.lastError?.contains("zoë@example.com") == true, "\(entry)")
        #expect(try await outbox.backlog() == 0)
        let announced = try await outbox.kafkaOutbox().filter { $0.topic == "enginedge.interview.error.occurred" }
        #expect(announced.count == 1 && announced.first?.key == "iv-z", "\(announced)")
        let payload = try JSONValue(parsing: try #require(announced.first).payload)
        #expect(payload["data"]?["error"]?["context"]?["requestId"] == "req-z" && payload["data"]?["error"]?["code"] == "INVITATION_UNDELIVERABLE")
    }

    /// Twenty interviews, each with version 0 being sent when, at once, version 1 is queued on
    /// one instance, version 0 is put back (a temporary refusal) on the other, and both versions
    /// are claimed, one on each instance. Whatever the interleaving, two versions of one
    /// interview are never being sent at the same time. (Both may be handed over one after
    /// the other: version 0 claimed again, then put back and replaced, then version 1.)
    @Test(arguments: Backend.allCases)
    func versionsQueuedPutBackAndClaimedAtOnceAreNeverSentTogether(backend: Backend) async throws {
        let (outbox, close) = try await backend.openMailOutbox()
        defer { close() }
        let interviews = (0..<20).map { "iv-\($0)" }
        for interview in interviews {
            let first = try Self.mail(interview, sequence: 0)
            try await outbox.queue(first, at: Self.now, instance: 0)
            #expect(try await outbox.claim(first.messageID, instance: 0))
        }
        let claims = try await withThrowingTaskGroup(of: (String, Int, Bool).self) { group in
            for interview in interviews {
                let first = try Self.mail(interview, sequence: 0).messageID
                let second = try Self.mail(interview, sequence: 1)
                let last = outbox.instances - 1
                group.addTask {
                    try await outbox.queue(second, at: Self.now, instance: 0)
                    return (interview, -1, false)
                }
                group.addTask {
                    try await outbox.retry(first, at: Self.now, error: "451 try later")
                    return (interview, -1, false)
                }
                group.addTask { (interview, 0, try await outbox.claim(first, instance: last)) }
                group.addTask { (interview, 1, try await outbox.claim(second.messageID, instance: 0)) }
            }
            return try await group.reduce(into: [String: Set<Int>]()) { claimed, outcome in
                if outcome.2 { claimed[outcome.0, default: []].insert(outcome.1) }
            }
        }
        for interview in interviews {
            let statuses = try await Self.statuses(outbox, interview)
            #expect(statuses.filter { $0 == .sending }.count <= 1, "\(interview): claimed \(claims[interview] ?? []), now \(statuses)")
        }
    }
}
