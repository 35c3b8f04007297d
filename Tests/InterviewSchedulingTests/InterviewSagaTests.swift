import CalendarProviders
import Events
import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import SchedulingCore
import Synchronization
import Testing

@testable import InterviewScheduling

@Suite("The interview sagas over the repository's definitions")
struct InterviewSagaTests {
    @Test func perInterviewerRepliesBookTheHumaneSlotAndAnnounceIt() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        try await fixture.start("req-1")
        #expect(try await fixture.sagas.instance(id: "req-1")?.status == .waiting)
        #expect(try await fixture.topics("req-1") == [Topic.schedulingRequested.rawValue])
        // Grace is busy on Tuesday at 14:00–15:00 UTC, the first slot all three share.
        try await fixture.reply(
            "req-1", interviewer: "grace@example.com", conflicts: [("2026-11-24T14:00:00Z", "2026-11-24T15:00:00Z")], messageID: "m1")
        #expect(try await fixture.sagas.instance(id: "req-1")?.status == .waiting, "Alan has not answered")
        try await fixture.reply("req-1", interviewer: "alan@example.com", messageID: "m2")
        let done = try #require(try await fixture.settle("req-1"))
        #expect(done.status == .completed, "\(done.lastError?.description ?? "")")
        #expect(done.data["slot"]?["start"]?.stringValue == "2026-11-24T15:00:00Z")
        #expect(try await fixture.topics("req-1") == [Topic.schedulingRequested, .interviewCreated, .schedulingConfirmed].map(\.rawValue))
        let interview = try #require(try await fixture.interview(requestID: "req-1"))
        #expect(interview.inviteRequest.contains("METHOD:REQUEST\r\n") && interview.status == .confirmed)
        #expect(try fixture.local.events(of: "grace@example.com").count == 1)
    }

    @Test func aFreshConflictMovesTheBookingToTheNextSlot() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        try await fixture.start("req-2")
        // The calendar service saw nothing, but Alan's calendar has 14:00 taken by now.
        fixture.provider.extraBusy.withLock {
            $0["alan@example.com"] = [
                Interval(start: try! #require(ISO8601.instant("2026-11-24T14:00:00Z")), end: try! #require(ISO8601.instant("2026-11-24T15:00:00Z")))
            ]
        }
        try await fixture.reply("req-2", interviewer: nil, messageID: "panel-1")
        let done = try #require(try await fixture.settle("req-2"))
        #expect(done.status == .completed)
        #expect(done.data["slot"]?["start"]?.stringValue == "2026-11-24T15:00:00Z", "Alan's calendar now has 14:00–15:00 taken")
    }

    @Test func aRefusedBookingUndoesTheOthersAndReportsTheError() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        fixture.provider.refuse.withLock { _ = $0.insert("alan@example.com") }
        try await fixture.start("req-3")
        try await fixture.reply("req-3", interviewer: nil, messageID: "panel-3")
        let done = try #require(try await fixture.settle("req-3"))
        #expect(done.status == .compensated)
        #expect(done.lastError?.message.contains("mailbox alan@example.com refuses writes") == true)
        let grace = try fixture.local.events(of: "grace@example.com")
        #expect(grace.count == 1 && grace.allSatisfy(\.cancelled), "Grace's booking was made, then cancelled")
        #expect(try await fixture.interview(requestID: "req-3") == nil, "no invitation was issued")
        #expect(try await fixture.topics("req-3") == [Topic.schedulingRequested, .errorOccurred].map(\.rawValue))
    }

    @Test func bookingsLeftByAStepThatKeptFailingAreFoundByKeyAndCancelled() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        fixture.provider.unavailable.withLock { _ = $0.insert("alan@example.com") }
        try await fixture.start("req-6")
        try await fixture.reply("req-6", interviewer: nil, messageID: "panel-6")
        let done = try #require(try await fixture.settle("req-6"))
        #expect(done.status == .compensated, "\(done.lastError?.description ?? "")")
        let grace = try fixture.local.events(of: "grace@example.com")
        #expect(grace.count == 1, "one event across all attempts: the key is the same")
        #expect(grace.allSatisfy { $0.cancelled }, "the step stored no references, yet Grace's event is cancelled")
    }

    @Test func interviewersEventsListNoAttendeesSoProvidersSendNoInvitations() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        try await fixture.start("req-7")
        try await fixture.reply("req-7", interviewer: nil, messageID: "panel-7")
        #expect(try await fixture.settle("req-7")?.status == .completed)
        let event = try #require(try fixture.local.events(of: "alan@example.com").first?.event)
        #expect(event.attendees.isEmpty)
        #expect(
            event.description.contains("Candidate: Ada Lovelace <ada@candidates.example>")
                && event.description.contains("Panel: Grace Hopper, Alan Turing"))
    }

    @Test func theDeadlineFailsWhenSomeoneNeverAnswers() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        try await fixture.start("req-4")
        try await fixture.reply("req-4", interviewer: "grace@example.com", messageID: "m4")
        fixture.clock.advance(by: 180)
        try await fixture.engine.runDueWork()
        let done = try #require(try await fixture.settle("req-4"))
        #expect(done.status == .compensated)
        #expect(done.lastError?.message == "no availability from alan@example.com by the deadline")
        #expect(try await fixture.topics("req-4").last == Topic.errorOccurred.rawValue)
    }

    @Test func aDuplicateReplyIsIgnored() async throws {
        let fixture = try InterviewSagaFixture()
        defer { fixture.directory.remove() }
        try await fixture.start("req-5")
        try await fixture.reply("req-5", interviewer: "grace@example.com", messageID: "dup")
        try await fixture.reply(
            "req-5", interviewer: "grace@example.com", conflicts: [("2026-11-24T00:00:00Z", "2026-11-28T00:00:00Z")], messageID: "dup")
        let replies = try #require(try await fixture.sagas.instance(id: "req-5")?.data["replies"]).decoded(as: AvailabilityReplies.self)
        #expect(replies.busy["grace@example.com"]?.isEmpty == true, "the repeat with the same eventId changed nothing")
    }
}

@Suite("Scheduling request validation")
struct SchedulingRequestBodyTests {
    static func body(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(InterviewSagaFixture.request.utf8)) as? [String: Any])
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test(arguments: [
        ("interviewers", "[]"),
        ("durationMinutes", "0"),
        ("meetingUrl", "\"javascript:alert(1)\""),
        ("title", "\"Panel\\r\\nX-INJECTED:1\""),
    ])
    func badFieldsAreNamed(field: String, json: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let data = try Self.body { $0[field] = value }
        let error = #expect(throws: ValidationError.self) {
            _ = try SchedulingRequestBody.decode(from: data, now: Instant(InterviewSagaFixture.monday))
        }
        #expect(error?.field == field)
    }

    @Test func zonesAndWindowsAreReportedOnTheRequestsOwnFields() throws {
        let zone = try Self.body { body in
            var interviewers = body["interviewers"] as? [[String: Any]] ?? []
            interviewers[1]["timeZone"] = "Mars/Olympus_Mons"
            body["interviewers"] = interviewers
        }
        #expect(
            #expect(throws: ValidationError.self) { _ = try SchedulingRequestBody.decode(from: zone, now: Instant(InterviewSagaFixture.monday)) }?
                .field == "interviewers[1].timeZone")
        let reversed = try Self.body { $0["window"] = ["start": "2026-11-28T00:00:00Z", "end": "2026-11-24T00:00:00Z"] }
        #expect(
            #expect(throws: ValidationError.self) { _ = try SchedulingRequestBody.decode(from: reversed, now: Instant(InterviewSagaFixture.monday)) }?
                .field.hasPrefix("window") == true)
        let duplicate = try Self.body { body in
            var interviewers = body["interviewers"] as? [[String: Any]] ?? []
            interviewers[1]["email"] = "GRACE@example.com"
            body["interviewers"] = interviewers
        }
        #expect(
            #expect(throws: ValidationError.self) {
                _ = try SchedulingRequestBody.decode(from: duplicate, now: Instant(InterviewSagaFixture.monday))
            }?.field == "interviewers[1].email")
    }
}
