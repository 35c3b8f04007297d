import CalendarProviders
import Foundation
import Testing

@Suite("Provider retries, deadlines and circuit breaker")
struct ResilientHTTPClientTests {
    let request = HTTPRequest(method: "POST", url: URL(fileURLWithPath: "/calendar/v3/calendars/primary/events"))

    func client(
        _ transport: ScriptedTransport, clock: RecordingClock, policy: ResilientHTTPClient.Policy = .init(), threshold: Int = 5
    ) -> ResilientHTTPClient {
        ResilientHTTPClient(
            provider: "google", transport: transport,
            breaker: CircuitBreaker(provider: "google", tenant: "example.com", failureThreshold: threshold, coolDown: .seconds(30), clock: clock),
            policy: policy, clock: clock, random: { 0.5 })
    }

    @Test func serverErrorsAreRetriedWithCappedExponentialBackoffAndFullJitter() async throws {
        let transport = ScriptedTransport([.response(503), .response(500), .response(502), .response(504), .response(201)])
        let clock = RecordingClock()
        let response = try await client(
            transport, clock: clock, policy: .init(maxAttempts: 5, initialBackoff: .milliseconds(200), maxBackoff: .milliseconds(1000))
        ).send(request)
        #expect(response.status == 201)
        #expect(transport.requests.count == 5)
        // Half (the drawn jitter) of 200, 400, 800, then the 1000 ms cap.
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500)])
    }

    @Test func retryAfterInSecondsOrAsAnHTTPDateIsHonoured() async throws {
        let clock = RecordingClock(Date(timeIntervalSince1970: 1_772_000_000))  // 2026-02-25T06:13:20Z
        let transport = ScriptedTransport([
            .response(429, headers: ["Retry-After": "7"]),
            .response(503, headers: ["Retry-After": "Wed, 25 Feb 2026 06:13:39 GMT"]),
            .response(200),
        ])
        let response = try await client(transport, clock: clock).send(request)
        #expect(response.status == 200)
        #expect(clock.sleeps == [.seconds(7), .seconds(12)], "7 s, then until 06:13:39 (12 s after 06:13:27)")
    }

    @Test func otherClientErrorsAreReturnedAtOnce() async throws {
        let transport = ScriptedTransport([.response(400, body: #"{"error":{"code":400,"message":"Invalid attendee email."}}"#)])
        let clock = RecordingClock()
        let response = try await client(transport, clock: clock).send(request)
        #expect(response.status == 400)
        #expect(transport.requests.count == 1 && clock.sleeps.isEmpty)
    }

    @Test func exhaustedRetriesKeepTheAPIMessage() async throws {
        let body = #"{"error":{"code":503,"message":"The service is currently unavailable."}}"#
        let transport = ScriptedTransport(Array(repeating: .response(503, body: body), count: 3))
        await #expect(throws: ProviderError(.transient, provider: "google", status: 503, message: "The service is currently unavailable.")) {
            _ = try await client(transport, clock: RecordingClock(), policy: .init(maxAttempts: 3)).send(request)
        }
    }

    @Test func timeoutsAndResetsAreRetriedThenReportedAsTimeouts() async throws {
        let transport = ScriptedTransport([
            .failure(TransportFailure(.connectionFailed, "reset by peer")), .failure(TransportFailure(.timedOut, "slow")),
            .failure(TransportFailure(.timedOut, "slow")),
        ])
        await #expect(throws: ProviderError.self) {
            _ = try await client(transport, clock: RecordingClock(), policy: .init(maxAttempts: 3)).send(request)
        }
        #expect(transport.timeouts.allSatisfy { $0 == .seconds(10) }, "each attempt gets the request timeout")
    }

    @Test func theDeadlineStopsRetriesEarly() async throws {
        let transport = ScriptedTransport([.response(429, headers: ["Retry-After": "120"]), .response(200)])
        await #expect {
            _ = try await client(transport, clock: RecordingClock(), policy: .init(deadline: .seconds(60))).send(request)
        } throws: { error in
            (error as? ProviderError)?.kind == .rateLimited && transport.requests.count == 1
        }
    }

    @Test func theBreakerOpensFailsFastThenRecoversThroughOneProbe() async throws {
        let clock = RecordingClock()
        let breaker = CircuitBreaker(provider: "graph", tenant: "contoso", failureThreshold: 3, coolDown: .seconds(30), clock: clock)
        let failing = ScriptedTransport(Array(repeating: .response(500), count: 3))
        let client = ResilientHTTPClient(
            provider: "graph", transport: failing, breaker: breaker, policy: .init(maxAttempts: 3), clock: clock, random: { 0 })
        await #expect(throws: ProviderError.self) { _ = try await client.send(request) }
        #expect(await breaker.state == .open(until: clock.now().addingTimeInterval(30)))

        // While open: nothing is sent.
        let healthy = ScriptedTransport([.response(200), .response(200)])
        let next = ResilientHTTPClient(
            provider: "graph", transport: healthy, breaker: breaker, policy: .init(maxAttempts: 1), clock: clock, random: { 0 })
        await #expect { _ = try await next.send(request) } throws: { ($0 as? ProviderError)?.kind == .unavailable }
        #expect(healthy.requests.isEmpty)

        // After the cool-down one probe goes through and closes the breaker.
        clock.advance(31)
        #expect(try await next.send(request).status == 200)
        #expect(await breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test func aHalfOpenBreakerAllowsASingleProbe() async throws {
        let clock = RecordingClock()
        let breaker = CircuitBreaker(provider: "graph", tenant: "contoso", failureThreshold: 1, coolDown: .seconds(10), clock: clock)
        await breaker.recordFailure()
        clock.advance(11)
        try await breaker.permit()
        await #expect(throws: ProviderError.self) { try await breaker.permit() }
        await breaker.recordFailure()
        #expect(await breaker.state == .open(until: clock.now().addingTimeInterval(10)), "a failed probe opens it again")
    }

    @Test func aRateLimitedProbeClosesTheBreaker() async throws {
        let clock = RecordingClock()
        let transport = ScriptedTransport([.response(500), .response(429, headers: ["Retry-After": "1"])])
        let breaker = CircuitBreaker(provider: "google", tenant: "example.com", failureThreshold: 1, coolDown: .seconds(30), clock: clock)
        let client = ResilientHTTPClient(
            provider: "google", transport: transport, breaker: breaker, policy: .init(maxAttempts: 1), clock: clock, random: { 0.5 })
        await #expect(throws: ProviderError.self) { _ = try await client.send(request) }
        #expect(await breaker.state != .closed(consecutiveFailures: 0), "open after one failure")
        clock.advance(31)
        await #expect(throws: ProviderError.self) { _ = try await client.send(request) }
        #expect(await breaker.state == .closed(consecutiveFailures: 0), "a 429 shows the provider is up: the probe ends")
    }
}
