import Foundation
import JWTKit
import SchedulingCore
import Synchronization
import Testing

@testable import CalendarProviders

@Suite("Microsoft Graph adapter against a fake of the documented API")
struct GraphCalendarProviderTests {
    static let event = GoogleCalendarProviderTests.event()

    @Test func createSendsATransactionIDAndTheEventsZoneUnderItsWindowsName() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider()
            let reference = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-1:book:linus@contoso.example")
            #expect(reference.provider == "graph" && reference.calendar == "linus@contoso.example")
            let stored = try #require(bed.graph.liveEvents.first)
            #expect(stored.json["transactionId"] as? String == "saga-1:book:linus@contoso.example")
            let start = try #require(stored.json["start"] as? [String: Any])
            #expect(start["timeZone"] as? String == "Eastern Standard Time")
            #expect(FakeMicrosoftGraph.utc(start) == Date(timeIntervalSince1970: TimeInterval(Self.event.start.secondsSinceEpoch)))
            #expect(bed.graph.record.requests.allSatisfy { $0.headers["prefer"] == #"outlook.timezone="UTC""# })
        }
    }

    /// `isOnlineMeeting` with `teamsForBusiness`; the link is `onlineMeeting.joinUrl`, and a
    /// retry with the same transactionId gets the same meeting.
    @Test func anEventWithATeamsMeetingGivesItsJoinURL() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider()
            let key = "saga-9:book:linus@contoso.example"
            let first = try await graph.createEventWithOnlineMeeting(Self.event, in: "linus@contoso.example", idempotencyKey: key)
            #expect(first.joinURL.hasPrefix("https://teams.microsoft.com/l/meetup-join/"))
            let stored = try #require(bed.graph.liveEvents.first)
            #expect(stored.json["isOnlineMeeting"] as? Bool == true && stored.json["onlineMeetingProvider"] as? String == "teamsForBusiness")
            #expect(try await graph.createEventWithOnlineMeeting(Self.event, in: "linus@contoso.example", idempotencyKey: key) == first)
            #expect(bed.graph.liveEvents.count == 1)
        }
    }

    @Test func aCreateWhoseAnswerCameTooLateIsDeduplicatedByTransactionID() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider(policy: ProviderTestBed.policy(requestTimeout: .seconds(2)))
            bed.graph.record.inject(.slowAfterHandling(.seconds(5)))
            let reference = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-2:book:linus@contoso.example")
            // At least the timed-out POST and one retry; on a loaded machine the retry may also
            // outlast the 2-second timeout, so the count is a floor. What must hold is that every
            // attempt carried the same transactionId and Graph kept one event.
            let posts = bed.graph.record.requests.filter { $0.method == "POST" }
            #expect(posts.count >= 2, "the timed-out POST and its retry")
            let transactionIDs = Set(posts.map { (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["transactionId"] as? String })
            #expect(transactionIDs == ["saga-2:book:linus@contoso.example"])
            #expect(bed.graph.liveEvents.count == 1)
            #expect(bed.graph.liveEvents.first?.json["id"] as? String == reference.eventID)
        }
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider()
            bed.graph.record.inject(.dropAfterHandling, .status(503, retryAfter: "1"))
            _ = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-3:book:linus@contoso.example")
            #expect(bed.graph.liveEvents.count == 1)
            #expect(bed.clock.sleeps == [.milliseconds(100), .seconds(1)], "backoff after the reset, then Retry-After")
        }
    }

    @Test func cancelCarriesTheCommentAndAGoneEventIsSuccess() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider()
            let reference = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-4:book:linus@contoso.example")
            try await graph.cancelEvent(reference, comment: "The candidate withdrew")
            #expect(bed.graph.allEvents.first?.cancelComment == "The candidate withdrew")
            try await graph.cancelEvent(reference, comment: "again")  // 404
            try await graph.deleteEvent(reference)
            try await graph.deleteEvent(reference)  // 404
            #expect(bed.graph.liveEvents.isEmpty)
        }
    }

    @Test func anUpdateOfADeletedEventIsRejectedWithGraphsMessage() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider()
            let reference = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-5:book:linus@contoso.example")
            try await graph.updateEvent(reference, to: GoogleCalendarProviderTests.event("Moved"))
            #expect(bed.graph.liveEvents.first?.json["subject"] as? String == "Moved")
            try await graph.deleteEvent(reference)
            let error = await #expect(throws: ProviderError.self) { try await graph.updateEvent(reference, to: Self.event) }
            #expect(error?.kind == .rejected && error?.status == 404 && error?.message.contains("not found in the store") == true)
        }
    }

    @Test func schedulesAreAskedForTwentyMailboxesAndFortyTwoDaysAtATime() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider()
            _ = try await graph.createEvent(Self.event, in: "person3@contoso.example", idempotencyKey: "saga-6:book:person3@contoso.example")
            let people = (1...45).map { "person\($0)@contoso.example" }
            let window = Interval(
                start: Instant(secondsSinceEpoch: Self.event.start.secondsSinceEpoch - 20 * 86_400),
                end: Instant(secondsSinceEpoch: Self.event.start.secondsSinceEpoch + 30 * 86_400))
            let busy = try await graph.busyTime(of: people, in: window)
            // Distinct calls: a call re-sent after a timeout is the same call.
            let calls = Set(bed.graph.record.requests.filter { $0.path.hasSuffix("getSchedule") }.map(\.body))
            #expect(calls.count == 3 * 2, "3 batches of ≤20 × 2 windows of ≤42 days")
            let sizes = calls.compactMap { body in ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["Schedules"] as? [Any] }
                .map(\.count)
            #expect(sizes.sorted() == [5, 5, 20, 20, 20, 20], "45 mailboxes in batches of at most 20, for each window")
            #expect(busy["person3@contoso.example"]?.intervals == [Interval(start: Self.event.start, end: Self.event.end)])
            #expect(busy.count == 45 && busy["person4@contoso.example"]?.intervals.isEmpty == true)
        }
    }

    @Test func aWrongClientSecretFailsWithTheTokenEndpointsReason() async throws {
        try await ProviderTestBed.run { bed in
            let graph = await bed.graphProvider(secret: "wrong")
            let error = await #expect(throws: ProviderError.self) {
                _ = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-7:book:linus@contoso.example")
            }
            #expect(error?.kind == .authentication && error?.message.contains("invalid_client") == true)
            #expect(error?.message.contains("wrong") == false, "the secret is never repeated")
        }
    }

    @Test func aCertificateCredentialSignsAClientAssertionTheTokenEndpointAccepts() async throws {
        try await ProviderTestBed.run { bed in
            let pem = try await TestKeys.rsaPrivateKeyPEM()
            let thumbprint = "2f:1c:8a:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:01"
            bed.graph.certificate.withLock {
                $0 = (try? JWTKit.Insecure.RSA.PrivateKey(pem: pem).publicKey).map { ($0, "LxyKABEiM0RVZneImaq7zN3u_wE") }
            }
            let graph = await bed.graphProvider(
                certificate: try GraphClientCredentials.certificate(privateKeyPEM: pem, thumbprintHex: thumbprint, setting: "test"))
            _ = try await graph.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-8:book:linus@contoso.example")
            #expect(bed.graph.liveEvents.count == 1)

            let stranger = try await TestKeys.rsaPrivateKeyPEM()
            let impostor = await bed.graphProvider(
                certificate: try GraphClientCredentials.certificate(privateKeyPEM: stranger, thumbprintHex: thumbprint, setting: "test"))
            let error = await #expect(throws: ProviderError.self) {
                _ = try await impostor.createEvent(Self.event, in: "linus@contoso.example", idempotencyKey: "saga-9:book:linus@contoso.example")
            }
            #expect(error?.kind == .authentication)
        }
    }

    @Test func aThumbprintThatIsNotFortyHexDigitsIsRefused() async throws {
        let pem = try await TestKeys.rsaPrivateKeyPEM()
        let error = #expect(throws: CredentialError.self) {
            _ = try GraphClientCredentials.certificate(privateKeyPEM: pem, thumbprintHex: "abc", setting: "graph.certificateKeyFile")
        }
        #expect(error?.setting == "graph.certificateKeyFile thumbprint")
        let unreadable = #expect(throws: CredentialError.self) {
            _ = try GraphClientCredentials.certificate(
                privateKeyPEM: "not a key", thumbprintHex: String(repeating: "a", count: 40), setting: "graph.certificateKeyFile")
        }
        #expect(unreadable?.problem == "is not a readable RSA private key in PEM form")
    }

    @Test func dateTimeTimeZoneIsReadInWindowsAndIANANames() throws {
        let json =
            #"[{"dateTime":"2026-03-29T00:30:00.0000000","timeZone":"GMT Standard Time"},{"dateTime":"2026-03-29T01:30:00.0000000","timeZone":"Europe/Berlin"},{"dateTime":"2026-11-23T09:00:00.0000000","timeZone":"UTC"}]"#
        let instants = try JSONDecoder().decode([GraphDateTime].self, from: Data(json.utf8)).map { $0.instant() }
        #expect(instants == ["2026-03-29T00:30:00Z", "2026-03-29T00:30:00Z", "2026-11-23T09:00:00Z"].map { ISO8601.instant($0) })
    }
}
