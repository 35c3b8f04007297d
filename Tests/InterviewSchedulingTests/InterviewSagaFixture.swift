import CalendarProviders
import Events
import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import SchedulingCore
import Synchronization

@testable import InterviewScheduling

/// A provider that refuses to book some calendars and can report extra busy time, in front
/// of the local provider.
final class ScriptedProvider: CalendarProvider {
    let name = "local"
    let inner: LocalCalendarProvider
    let refuse = Mutex<Set<String>>([])
    /// Calendars whose bookings fail with a 503, every time.
    let unavailable = Mutex<Set<String>>([])
    let extraBusy = Mutex<[String: [Interval]]>([:])
    /// Meetings that appear on a calendar once `appears` says so (someone books outside the
    /// service while a saga runs).
    let lateBusy = Mutex<(appears: (@Sendable () async -> Bool)?, busy: [String: [Interval]])>((nil, [:]))
    /// The next `remaining` busy-time reads wait until all of them have arrived: that many
    /// sagas read the calendars before any of them can claim a slot.
    let barrier = Mutex<(remaining: Int, waiting: [CheckedContinuation<Void, Never>])>((0, []))

    private func passBarrier() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let released: [CheckedContinuation<Void, Never>]? = barrier.withLock { state in
                guard state.remaining > 0 else { return [continuation] }
                state.remaining -= 1
                state.waiting.append(continuation)
                guard state.remaining == 0 else { return nil }
                defer { state.waiting = [] }
                return state.waiting
            }
            for waiting in released ?? [] { waiting.resume() }
        }
    }

    init(_ inner: LocalCalendarProvider) { self.inner = inner }

    func createEvent(_ event: CalendarEvent, in calendar: String, idempotencyKey: String) async throws(ProviderError) -> ProviderEventReference {
        if refuse.withLock({ $0.contains(calendar) }) {
            throw ProviderError(.rejected, provider: name, status: 403, message: "mailbox \(calendar) refuses writes")
        }
        if unavailable.withLock({ $0.contains(calendar) }) {
            throw ProviderError(.transient, provider: name, status: 503, message: "service unavailable")
        }
        return try await inner.createEvent(event, in: calendar, idempotencyKey: idempotencyKey)
    }
    func updateEvent(_ reference: ProviderEventReference, to event: CalendarEvent) async throws(ProviderError) {
        try await inner.updateEvent(reference, to: event)
    }
    func cancelEvent(_ reference: ProviderEventReference, comment: String) async throws(ProviderError) {
        try await inner.cancelEvent(reference, comment: comment)
    }
    func deleteEvent(_ reference: ProviderEventReference) async throws(ProviderError) { try await inner.deleteEvent(reference) }
    func reference(forIdempotencyKey key: String, in calendar: String) -> ProviderEventReference? {
        inner.reference(forIdempotencyKey: key, in: calendar)
    }
    func busyTime(of calendars: [String], in window: Interval) async throws(ProviderError) -> [String: IntervalSet] {
        await passBarrier()
        var busy = try await inner.busyTime(of: calendars, in: window)
        let late = lateBusy.withLock { $0 }
        var visible = false
        if let appears = late.appears { visible = await appears() }
        let extra = extraBusy.withLock { $0 }.merging(visible ? late.busy : [:]) { $0 + $1 }
        for (calendar, more) in extra where calendars.contains(calendar) {
            busy[calendar] = (busy[calendar] ?? IntervalSet([])).union(IntervalSet(more))
        }
        return busy
    }
}

/// The interview sagas over real SQLite files and the repository's definitions, run by hand
/// with a manual clock.
struct InterviewSagaFixture {
    let directory: TemporaryDirectory
    let clock: ManualSagaClock
    let sagas: SagaStore
    let local: LocalCalendarProvider
    let provider: ScriptedProvider
    let engine: SagaEngine<SagaStore>

    /// Monday 2026-11-23 08:00 UTC.
    static let monday = Date(timeIntervalSince1970: 1_795_420_800 + 8 * 3600)

    init() throws {
        directory = try TemporaryDirectory(prefix: "interview-saga")
        clock = ManualSagaClock(Self.monday)
        sagas = try ServiceDatabase.open(path: directory.path("sagas.sqlite"))
        local = try LocalCalendarProvider(path: directory.path("calendars.sqlite"))
        provider = ScriptedProvider(local)
        let calendars = CalendarDirectory(accounts: [
            .init(name: "local", provider: provider, domains: ["*"], probeCalendar: nil, check: { "ok" })
        ])
        var handlers = SQLiteSagaHandlers()
        InterviewSchedulingHandlers(calendars: calendars, store: sagas, organizer: .init(email: "interviews@scheduler.example", name: "Interviews"))
            .register(in: &handlers)
        let catalog = try SagaCatalog.load(directory: BuiltProducts.repositoryRoot.appendingPathComponent("sagas"), handlers: handlers.inventory)
        engine = SagaEngine(store: sagas, catalog: catalog, handlers: handlers, clock: clock)
    }

    static let request = """
        {"candidate": {"id": "cand-1", "name": "Ada Lovelace", "email": "ada@candidates.example", "timeZone": "Europe/Berlin"},
         "interviewers": [{"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "America/New_York"},
                          {"name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"}],
         "durationMinutes": 60, "window": {"start": "2026-11-24T00:00:00Z", "end": "2026-11-28T00:00:00Z"}, "title": "Panel"}
        """

    func start(_ id: String, request: String = Self.request) async throws {
        try await begin(id, request: request)
        try await engine.runDueWork()
    }

    /// Starts a saga without running it.
    func begin(_ id: String, request: String = Self.request) async throws {
        let body = try SchedulingRequestBody.decode(from: Data(request.utf8), now: Instant(clock.now()))
        try await engine.start(
            type: InterviewSagaKind.scheduling.rawValue, id: id, partitionKey: body.candidateID,
            data: try SagaData(encoding: SchedulingSagaData(request: body, owner: "recruiter@example.com", requestId: id)))
    }

    /// Starts every saga at once, answers each one's availability question for the whole
    /// panel (nobody busy), and runs them all until they settle.
    func burst(_ ids: [String], request: String) async throws {
        for id in ids { try await begin(id, request: request) }
        try await engine.runDueWork()
        for id in ids {
            let reply = SchedulingAvailability(requestId: id, interviewerId: nil, availability: [], conflicts: [])
            _ = try await engine.deliver(
                InboundEvent(
                    messageID: "reply-\(id)", topic: Topic.schedulingAvailability.rawValue, type: "scheduling.availability", correlation: id,
                    payload: try .encoding(reply)))
        }
        for id in ids { _ = try await settle(id) }
    }

    /// Every reservation in the ledger.
    func reservations() async throws -> [TimeReservation] {
        try await sagas.read { db in
            try SQLiteInterviewerTimeLedger().reservations(
                of: ["grace@example.com", "alan@example.com", "linus@example.com"],
                overlapping: Interval(start: Instant(secondsSinceEpoch: 0), end: Instant(secondsSinceEpoch: 4_000_000_000)), in: db)
        }
    }

    /// An availability reply: per interviewer, or for the panel with `interviewer` nil.
    func reply(_ id: String, interviewer: String?, conflicts: [(String, String)] = [], messageID: String) async throws {
        let reply = SchedulingAvailability(
            requestId: id, interviewerId: interviewer, availability: [],
            conflicts: conflicts.map { .init(start: $0.0, end: $0.1, reason: "busy") })
        _ = try await engine.deliver(
            InboundEvent(
                messageID: messageID, topic: Topic.schedulingAvailability.rawValue, type: "scheduling.availability", correlation: id,
                payload: try .encoding(reply)))
        try await engine.runDueWork()
    }

    /// Runs until the saga settles, moving the clock past backoffs.
    func settle(_ id: String) async throws -> SagaInstance? {
        for _ in 0..<200 {
            try await engine.runDueWork()
            guard let instance = try await sagas.instance(id: id) else { return nil }
            if instance.status.isSettled || instance.status == .waiting { return instance }
            clock.advance(by: 60)
        }
        return try await sagas.instance(id: id)
    }

    /// The interview booked for a request, if any.
    func interview(requestID: String) async throws -> InterviewRecord? {
        try await sagas.read { db in try InterviewRecords.interview(requestID: requestID, in: db) }
    }

    func topics(_ id: String) async throws -> [String] {
        try await sagas.outbox(sagaID: id).map(\.message.topic)
    }
}
