package import Foundation
import Metrics
package import SagaCore

/// Stops calling a provider that keeps failing: after `failureThreshold` consecutive
/// failures it opens and calls fail fast with `.unavailable`; after `coolDown` it lets one
/// probe through (half-open); the probe's success closes it, its failure opens it again.
/// One breaker per provider and tenant. Its state is the gauge
/// `calendar_provider_circuit_state{provider,tenant}`: 0 closed, 1 half-open, 2 open.
package actor CircuitBreaker {
    package enum State: Hashable, Sendable {
        case closed(consecutiveFailures: Int)
        case open(until: Date)
        case halfOpen(probeInFlight: Bool)
    }

    package let provider: String
    package let tenant: String
    let failureThreshold: Int
    let coolDown: Duration
    let clock: any WallClock
    package private(set) var state: State = .closed(consecutiveFailures: 0)
    private let gauge: Gauge

    package init(
        provider: String, tenant: String, failureThreshold: Int = 5, coolDown: Duration = .seconds(30),
        clock: any WallClock = SystemWallClock()
    ) {
        self.provider = provider
        self.tenant = tenant
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
        self.clock = clock
        gauge = Gauge(label: "calendar_provider_circuit_state", dimensions: [("provider", provider), ("tenant", tenant)])
        gauge.record(0)
    }

    /// Asks to make a call; throws `.unavailable` while open, or while a probe is out.
    package func permit() throws(ProviderError) {
        switch state {
        case .closed:
            return
        case .open(let until):
            guard clock.now() >= until else {
                throw ProviderError(.unavailable, provider: provider, message: "circuit open for tenant \(tenant) until \(until.formatted(.iso8601))")
            }
            transition(to: .halfOpen(probeInFlight: true))
        case .halfOpen(let probeInFlight):
            guard !probeInFlight else {
                throw ProviderError(.unavailable, provider: provider, message: "circuit half-open for tenant \(tenant); a probe is in flight")
            }
            transition(to: .halfOpen(probeInFlight: true))
        }
    }

    package func recordSuccess() {
        transition(to: .closed(consecutiveFailures: 0))
    }

    /// The provider answered, but asked to slow down (429): not a failure, and it ends a
    /// half-open probe, since the provider is evidently up.
    package func recordRateLimited() {
        if case .halfOpen = state { transition(to: .closed(consecutiveFailures: 0)) }
    }

    package func recordFailure() {
        switch state {
        case .closed(let failures) where failures + 1 < failureThreshold:
            transition(to: .closed(consecutiveFailures: failures + 1))
        case .closed, .halfOpen, .open:
            transition(to: .open(until: clock.now().addingTimeInterval(coolDown / .seconds(1))))
        }
    }

    private func transition(to newState: State) {
        state = newState
        switch newState {
        case .closed: gauge.record(0)
        case .halfOpen: gauge.record(1)
        case .open: gauge.record(2)
        }
    }
}
