import CalendarProviders
import Foundation
import SchedulingCore
import Synchronization
import Testing

@Suite("Google Calendar adapter against a fake of the documented API")
struct GoogleCalendarProviderTests {
    static let start = Instant(secondsSinceEpoch: 1_795_500_000)  // 2026-11-23T...Z
    static func event(_ title: String = "Interview: Ada Lovelace") -> CalendarEvent {
        CalendarEvent(
            title: title, description: "Panel interview", start: start, end: Instant(secondsSinceEpoch: start.secondsSinceEpoch + 3600),
            timeZone: "America/New_York",
            attendees: [
                .init(email: "ada@candidates.example", name: "Ada Lovelace"),
                .init(email: "grace@acme.example", name: "Grace Hopper", optional: true),
            ],
            location: "Room 4", meetingURL: "https://meet.example/abc")
    }

    @Test func aRepeatedCreateFindsTheFirstEventAndTheTokenIsReused() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            let first = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-1:book:grace@acme.example")
            let second = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-1:book:grace@acme.example")
            #expect(first == second)
            #expect(first.eventID.range(of: "^[a-v0-9]{5,1024}$", options: .regularExpression) != nil)
            #expect(bed.google.liveEvents.count == 1)
            #expect(bed.google.tokenRequests == 1, "the cached token serves both calls")
            let stored = try #require(bed.google.liveEvents.first)
            #expect(stored.calendar == "grace@acme.example" && stored.sendUpdates == "all")
            #expect((stored.json["start"] as? [String: Any])?["timeZone"] as? String == "America/New_York")
        }
    }

    /// `conferenceData.createRequest` with `conferenceDataVersion=1`; Google answers
    /// `pending` and the link is read once it is made. A retry gets the same meeting.
    @Test func anEventWithAMeetConferenceGivesItsLinkOnceMade() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            let key = "saga-9:book:grace@acme.example"
            let first = try await google.createEventWithOnlineMeeting(Self.event(), in: "grace@acme.example", idempotencyKey: key)
            #expect(first.joinURL.hasPrefix("https://meet.google.com/"))
            let insert = try #require(bed.google.record.requests.first { $0.method == "POST" && $0.path.hasSuffix("/events") })
            #expect(insert.query["conferenceDataVersion"] == "1")
            let body = try #require(try JSONSerialization.jsonObject(with: insert.body) as? [String: Any])
            let create = try #require((body["conferenceData"] as? [String: Any])?["createRequest"] as? [String: Any])
            #expect(create["requestId"] as? String == first.reference.eventID)
            #expect((create["conferenceSolutionKey"] as? [String: Any])?["type"] as? String == "hangoutsMeet")
            #expect(bed.google.record.requests.map(\.method).suffix(2) == ["POST", "GET"], "pending at insert, read again")
            let again = try await google.createEventWithOnlineMeeting(Self.event(), in: "grace@acme.example", idempotencyKey: key)
            #expect(again == first)
            #expect(bed.google.liveEvents.count == 1)
        }
    }

    /// A conference Google could not make: the event without a meeting goes, and the
    /// failure is permanent.
    @Test func aFailedConferenceLeavesNoEvent() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            bed.google.failConferences.withLock { $0 = true }
            let error = await #expect(throws: ProviderError.self) {
                try await google.createEventWithOnlineMeeting(
                    Self.event(), in: "grace@acme.example", idempotencyKey: "saga-10:book:grace@acme.example")
            }
            #expect(error?.kind == .rejected)
            #expect(bed.google.liveEvents.isEmpty)
        }
    }

    @Test func aCreateWhoseAnswerWasLostIsRetriedWithoutADuplicate() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            bed.google.record.inject(.dropAfterHandling)
            let reference = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-2:book:grace@acme.example")
            #expect(bed.google.liveEvents.count == 1)
            #expect(bed.google.record.requests.map(\.method) == ["POST", "POST", "GET"], "insert, insert answered 409, get")
            #expect(bed.google.allEvents[reference.eventID] != nil)
        }
    }

    @Test func rateLimitsAndServerErrorsAreRetriedWithTheSpecifiedDelays() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            bed.google.record.inject(.status(429, retryAfter: "3"), .status(500), .status(503))
            _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-3:book:grace@acme.example")
            // Retry-After 3 s; then full jitter (drawn 0.5) of 400 ms and 800 ms.
            #expect(bed.clock.sleeps == [.seconds(3), .milliseconds(200), .milliseconds(400)])
            #expect(bed.google.liveEvents.count == 1)
        }
    }

    @Test func googlesForbiddenRateLimitIsRetriedToo() {
        let body = Data(
            #"{"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded"}],"code":403,"message":"Rate Limit Exceeded"}}"#.utf8)
        #expect(GoogleCalendarProvider.isRetriable(HTTPResponse(status: 403, body: body)))
        #expect(
            !GoogleCalendarProvider.isRetriable(
                HTTPResponse(status: 403, body: Data(#"{"error":{"errors":[{"reason":"forbiddenForNonOrganizer"}]}}"#.utf8))))
    }

    @Test func cancellingOrDeletingAnEventThatIsGoneSucceeds() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider(guestUpdates: .externalOnly)
            let reference = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-4:book:grace@acme.example")
            try await google.cancelEvent(reference, comment: "The candidate withdrew")
            #expect(bed.google.allEvents[reference.eventID]?.sendUpdates == "externalOnly", "guests are told as configured")
            try await google.cancelEvent(reference, comment: "again")  // 410 Gone
            try await google.deleteEvent(reference)  // 410 Gone
            try await google.deleteEvent(ProviderEventReference(provider: "google", calendar: "grace@acme.example", eventID: "abcdef0123"))  // 404
            #expect(bed.google.liveEvents.isEmpty)
            let statuses = bed.google.record.requests.filter { $0.method == "DELETE" }.map { $0.query["sendUpdates"] }
            #expect(statuses == ["externalOnly", "externalOnly", "none", "none"])
        }
    }

    @Test func anUpdateMovesTheEvent() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            let reference = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-5:book:grace@acme.example")
            var moved = Self.event("Interview: Ada Lovelace (moved)")
            moved.start = Instant(secondsSinceEpoch: Self.start.secondsSinceEpoch + 86_400)
            moved.end = Instant(secondsSinceEpoch: moved.start.secondsSinceEpoch + 3600)
            try await google.updateEvent(reference, to: moved)
            let stored = try #require(bed.google.allEvents[reference.eventID])
            #expect(stored.json["summary"] as? String == "Interview: Ada Lovelace (moved)")
            #expect((stored.json["start"] as? [String: Any])?["dateTime"] as? String == ISO8601.format(moved.start))
        }
    }

    @Test func freeBusyIsAskedInBatchesOfFiftyAndWindowsOfSixtyDays() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            let people = (1...120).map { "person\($0)@acme.example" }
            bed.google.addBusy("person7@acme.example", start: "2026-12-01T09:00:00Z", end: "2026-12-01T10:00:00Z")
            bed.google.addBusy("person7@acme.example", start: "2027-02-10T15:00:00-05:00", end: "2027-02-10T16:00:00-05:00")
            let window = Interval(
                start: try #require(ISO8601.instant("2026-11-25T00:00:00Z")), end: try #require(ISO8601.instant("2027-03-05T00:00:00Z")))
            let busy = try await google.busyTime(of: people, in: window)
            // Distinct calls: on a starved machine a call can outlast the test policy's 5-second
            // timeout and be sent again, as designed (the clean-clone run saw 7 requests, 6 bodies).
            let calls = Set(bed.google.record.requests.filter { $0.path.hasSuffix("/freeBusy") }.map(\.body))
            #expect(calls.count == 3 * 2, "3 batches of ≤50 people × 2 windows of ≤60 days")
            let sizes = calls.compactMap { body in
                ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["items"] as? [Any]
            }.map(\.count)
            #expect(sizes.sorted() == [20, 20, 50, 50, 50, 50], "120 people in batches of at most 50, for each window")
            #expect(busy.count == 120)
            let intervals = try #require(busy["person7@acme.example"]).intervals
            #expect(
                intervals == [
                    Interval(
                        start: try #require(ISO8601.instant("2026-12-01T09:00:00Z")), end: try #require(ISO8601.instant("2026-12-01T10:00:00Z"))),
                    Interval(
                        start: try #require(ISO8601.instant("2027-02-10T20:00:00Z")), end: try #require(ISO8601.instant("2027-02-10T21:00:00Z"))),
                ])
            #expect(busy["person8@acme.example"]?.intervals.isEmpty == true)
        }
    }

    @Test func aCalendarGoogleCannotReadIsAnErrorNamingIt() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            let window = Interval(start: Self.start, end: Instant(secondsSinceEpoch: Self.start.secondsSinceEpoch + 86_400))
            let error = await #expect(throws: ProviderError.self) { _ = try await google.busyTime(of: ["someone@elsewhere.example"], in: window) }
            #expect(error?.kind == .rejected && error?.message.contains("someone@elsewhere.example: notFound") == true)
        }
    }

    @Test func anExpiredTokenIsRefreshedOnce() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-6:book:grace@acme.example")
            bed.google.record.inject(.expireTokens)
            _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-7:book:grace@acme.example")
            #expect(bed.google.tokenRequests == 2)
            #expect(bed.google.liveEvents.count == 2)
        }
    }

    @Test func theTokenEndpointRefusesAnAssertionSignedWithAnotherKey() async throws {
        try await ProviderTestBed.run { bed in
            let stranger = try await TestKeys.rsaPrivateKeyPEM()
            let google = try await bed.googleProvider(privateKeyPEM: stranger)
            let error = await #expect(throws: ProviderError.self) {
                _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-8:book:grace@acme.example")
            }
            #expect(error?.kind == .authentication && error?.message.contains("invalid_grant") == true)
            #expect(bed.google.record.requests.isEmpty, "no API call without a token")
        }
    }

    @Test func theBreakerOpensAfterConsecutiveFailuresAndRecoversAfterTheCoolDown() async throws {
        try await ProviderTestBed.run { bed in
            let breaker = CircuitBreaker(provider: "google", tenant: "acme.example", failureThreshold: 2, coolDown: .seconds(30), clock: bed.clock)
            let google = try await bed.googleProvider(breaker: breaker, policy: ProviderTestBed.policy(maxAttempts: 1))
            // The first call fetches the token.
            _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-9:book:grace@acme.example")
            bed.google.record.inject(.status(500), .status(500))
            for attempt in 10...11 {
                await #expect(throws: ProviderError.self) {
                    _ = try await google.createEvent(
                        Self.event(), in: "grace@acme.example", idempotencyKey: "saga-\(attempt):book:grace@acme.example")
                }
            }
            let sent = bed.google.record.requests.count
            let error = await #expect(throws: ProviderError.self) {
                _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-12:book:grace@acme.example")
            }
            #expect(error?.kind == .unavailable)
            #expect(bed.google.record.requests.count == sent, "an open breaker fails fast, sending nothing")
            bed.clock.advance(31)
            _ = try await google.createEvent(Self.event(), in: "grace@acme.example", idempotencyKey: "saga-13:book:grace@acme.example")
            #expect(await breaker.state == .closed(consecutiveFailures: 0))
        }
    }
}
