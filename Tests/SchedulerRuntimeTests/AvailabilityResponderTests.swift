import CalendarProviders
import Events
import Foundation
import Logging
import SagaCore
import SchedulerTesting
import SchedulingCore
import Testing

@testable import SchedulerRuntime

@Suite("Availability responder: replies from feeds and calendar accounts")
struct AvailabilityResponderTests {
    static let samples = BuiltProducts.repositoryRoot.appendingPathComponent("ical-samples")

    func request(_ interviewers: [String]) -> EventEnvelope<SchedulingRequested> {
        EventEnvelope(
            eventId: "req-9:scheduling.requested", eventType: SchedulingRequested.eventType, timestamp: Date(),
            data: SchedulingRequested(
                requestId: "req-9", candidateId: "cand-9", interviewers: interviewers, duration: 60,
                preferredTimes: [TimeSpan(start: "2026-03-09T00:00:00Z", end: "2026-03-14T00:00:00Z")], timezone: "Europe/Berlin"))
    }

    @Test func eachInterviewerWithASourceGetsOneReplyWithTheirBusyTime() async throws {
        let directory = try TemporaryDirectory(prefix: "responder")
        defer { directory.remove() }
        let local = try LocalCalendarProvider(path: directory.path("calendars.sqlite"))
        let meeting = Interval(
            start: try #require(ISO8601.instant("2026-03-10T15:00:00Z")), end: try #require(ISO8601.instant("2026-03-10T16:00:00Z")))
        _ = try await local.createEvent(
            CalendarEvent(title: "Busy", description: "", start: meeting.start, end: meeting.end, timeZone: "UTC", attendees: [], location: ""),
            in: "linus@acme.example", idempotencyKey: "existing-meeting")
        let calendars = CalendarDirectory(accounts: [
            .init(name: "local", provider: local, domains: ["acme.example"], probeCalendar: nil, check: { "ok" })
        ])
        let configuration = ResponderConfiguration(
            interviewers: [
                "grace@example.com": .init(feed: Self.samples.appendingPathComponent("feeds/grace.ics").path, timeZone: "America/New_York"),
                "linus@acme.example": .init(calendarAccount: true),
            ], calendars: nil)
        let responder = AvailabilityResponder(
            configuration: configuration, dataDirectory: directory.path("data"), environment: [:], logger: Logger(label: "test"))

        let replies = try await responder.replies(
            to: request(["grace@example.com", "linus@acme.example", "someone@elsewhere.example"]), calendars: calendars, feeds: FeedCache())
        #expect(
            replies.map(\.id) == ["req-9:availability:grace@example.com", "req-9:availability:linus@acme.example"],
            "nobody answers for an unknown interviewer")
        let linus = try JSONDecoder().decode(EventEnvelope<SchedulingAvailability>.self, from: try #require(replies.last).payload)
        #expect(linus.data.conflicts.map { "\($0.start)/\($0.end)" } == ["2026-03-10T15:00:00Z/2026-03-10T16:00:00Z"])
        #expect(linus.data.interviewerId == "linus@acme.example" && linus.metadata?.causationId == "req-9:scheduling.requested")
        let grace = try JSONDecoder().decode(EventEnvelope<SchedulingAvailability>.self, from: try #require(replies.first).payload)
        #expect(!grace.data.conflicts.isEmpty, "Grace's stand-up and review fall in the week")
        #expect(replies.allSatisfy { $0.key == "cand-9" && $0.topic == Topic.schedulingAvailability.rawValue })

        let everyone = AvailabilityResponder(
            configuration: ResponderConfiguration(
                interviewers: ["*": .init(feed: Self.samples.appendingPathComponent("feeds/alan.ics").path, timeZone: "Europe/London")],
                calendars: nil),
            dataDirectory: directory.path("data"), environment: [:], logger: Logger(label: "test"))
        #expect(
            try await everyone.replies(to: request(["a@x.example", "b@y.example"]), calendars: nil, feeds: FeedCache()).count == 2,
            "\"*\" answers for everyone")
    }

    @Test func aConfigurationEntryMustNameExactlyOneSource() throws {
        let directory = try TemporaryDirectory(prefix: "responder")
        defer { directory.remove() }
        let path = directory.path("responder.yaml")
        try "interviewers:\n  grace@example.com: { timeZone: UTC }\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ResponderError.self) { _ = try ResponderConfiguration(contentsOf: path) }
        #expect(error?.description.contains("interviewers.grace@example.com: give either feed or calendarAccount: true") == true)
    }
}
