import Foundation
import Metrics
package import SagaCore

/// Sends provider requests with a per-request timeout, an overall deadline, retries with
/// exponential backoff and full jitter (honouring `Retry-After`), and a circuit breaker.
///
/// Retried: 429, 500, 502, 503, 504, connection failures and timeouts. Any other status is
/// returned to the caller at once, for it to interpret (404 on a delete is success there).
package struct ResilientHTTPClient: Sendable {
    package struct Policy: Hashable, Sendable {
        package var maxAttempts: Int
        package var initialBackoff: Duration
        package var maxBackoff: Duration
        package var requestTimeout: Duration
        /// All attempts and waits together.
        package var deadline: Duration

        package init(
            maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(10), deadline: Duration = .seconds(60)
        ) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.requestTimeout = requestTimeout
            self.deadline = deadline
        }
    }

    static let retriedStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// The default rule: 429, 500, 502, 503 and 504 are worth another attempt.
    package static func retriesStatus(_ response: HTTPResponse) -> Bool {
        retriedStatuses.contains(response.status)
    }

    let provider: String
    let transport: any HTTPTransport
    let breaker: CircuitBreaker
    let policy: Policy
    let clock: any WallClock
    /// Draws the jitter, in 0..<1.
    let random: @Sendable () -> Double
    /// Whether a response is a temporary refusal (an API may add its own, such as Google's
    /// 403 `rateLimitExceeded`).
    let isRetriable: @Sendable (HTTPResponse) -> Bool

    package init(
        provider: String, transport: any HTTPTransport, breaker: CircuitBreaker, policy: Policy = Policy(),
        clock: any WallClock = SystemWallClock(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        isRetriable: @escaping @Sendable (HTTPResponse) -> Bool = ResilientHTTPClient.retriesStatus
    ) {
        self.isRetriable = isRetriable
        self.provider = provider
        self.transport = transport
        self.breaker = breaker
        self.policy = policy
        self.clock = clock
        self.random = random
    }

    package func send(_ request: HTTPRequest) async throws(ProviderError) -> HTTPResponse {
        let started = clock.now()
        var attempt = 0
        while true {
            attempt += 1
            try await breaker.permit()
            let remaining = policy.deadline - .milliseconds(Int64(clock.now().timeIntervalSince(started) * 1000))
            let failure: ProviderError
            var retryAfter: Duration?
            do {
                let response = try await transport.send(request, timeout: min(policy.requestTimeout, max(remaining, .milliseconds(1))))
                Self.count(provider: provider, result: "\(response.status / 100)xx")
                guard isRetriable(response) else {
                    await breaker.recordSuccess()
                    return response
                }
                let rateLimited = response.status == 429 || response.status == 403
                if rateLimited { await breaker.recordRateLimited() } else { await breaker.recordFailure() }
                retryAfter = RetryAfter.delay(response.headers["retry-after"], now: clock.now())
                failure = ProviderError(
                    rateLimited ? .rateLimited : .transient, provider: provider, status: response.status,
                    message: APIErrorMessage.extract(from: response.body) ?? "HTTP \(response.status)")
            } catch {
                Self.count(provider: provider, result: error.kind.rawValue)
                await breaker.recordFailure()
                failure = ProviderError(error.kind == .timedOut ? .timeout : .transient, provider: provider, message: error.message)
            }
            guard attempt < policy.maxAttempts else { throw failure }
            let delay = retryAfter ?? backoff(afterAttempt: attempt)
            let elapsed = Duration.milliseconds(Int64(clock.now().timeIntervalSince(started) * 1000))
            guard elapsed + delay < policy.deadline else {
                throw ProviderError(
                    failure.kind == .rateLimited ? .rateLimited : .timeout, provider: provider, status: failure.status,
                    message: "\(failure.message); the next attempt would pass the \(policy.deadline) deadline")
            }
            do {
                try await clock.sleep(for: delay)
            } catch {
                throw ProviderError(.timeout, provider: provider, message: "cancelled while waiting to retry: \(failure.message)")
            }
        }
    }

    /// `calendar_provider_requests_total{provider,result}`: every attempt, by status class
    /// (`2xx`, `4xx`, `5xx`, …) or transport failure (`timedOut`, `connectionFailed`).
    static func count(provider: String, result: String) {
        Counter(label: "calendar_provider_requests_total", dimensions: [("provider", provider), ("result", result)]).increment()
    }

    /// Full jitter: uniform between zero and the capped exponential delay.
    func backoff(afterAttempt attempt: Int) -> Duration {
        ExponentialBackoff(initial: policy.initialBackoff, cap: policy.maxBackoff, jitter: .full).delay(afterAttempt: attempt, unitRandom: random())
    }
}
