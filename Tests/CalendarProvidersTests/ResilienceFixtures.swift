import CalendarProviders
import Foundation
import SagaCore
import Synchronization

/// Replays scripted outcomes, one per request, and records what was sent.
final class ScriptedTransport: HTTPTransport {
    enum Outcome {
        case response(Int, headers: [String: String] = [:], body: String = "")
        case failure(TransportFailure)
    }

    private let state: Mutex<(outcomes: [Outcome], requests: [HTTPRequest], timeouts: [Duration])>

    init(_ outcomes: [Outcome]) {
        state = Mutex((outcomes, [], []))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var timeouts: [Duration] { state.withLock { $0.timeouts } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws(TransportFailure) -> HTTPResponse {
        let outcome = state.withLock { state -> Outcome in
            state.requests.append(request)
            state.timeouts.append(timeout)
            return state.outcomes.isEmpty ? .response(200) : state.outcomes.removeFirst()
        }
        switch outcome {
        case .response(let status, let headers, let body): return HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
        case .failure(let failure): throw failure
        }
    }
}

/// A clock that records every sleep and moves time by it, without waiting.
final class RecordingClock: WallClock {
    private let state: Mutex<(now: Date, sleeps: [Duration])>

    init(_ start: Date = Date(timeIntervalSince1970: 1_772_000_000)) {
        state = Mutex((start, []))
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func now() -> Date { state.withLock { $0.now } }

    func advance(_ seconds: TimeInterval) {
        state.withLock { $0.now = $0.now.addingTimeInterval(seconds) }
    }

    func sleep(for duration: Duration) async throws {
        state.withLock { state in
            state.sleeps.append(duration)
            state.now = state.now.addingTimeInterval(TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18)
        }
    }
}
