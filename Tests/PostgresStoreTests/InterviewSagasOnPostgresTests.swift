import CalendarProviders
import Events
import Foundation
import InterviewScheduling
import Logging
import Mail
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
import SchedulerTesting
import SchedulingCore
import Testing

/// The sagas of `sagas/` (scheduling, cancellation, rescheduling, the candidate's erasure) run by two
/// instances on one PostgreSQL database, each with its own pool, lease owner and engine, and
/// one local calendar provider between them: the repository's definitions and the service's
/// handlers, on `PostgresInterviewSagaStorage`.
struct InterviewSagasOnPostgres {
    let clock: ManualSagaClock
    let engines: [SagaEngine<PostgresSagaWork>]
    let stores: [PostgresSagaStore]
    let calendars: LocalCalendarProvider
    let directory: TemporaryDirectory

    /// Monday 2026-11-23 08:00 UTC.
    static let monday = Date(timeIntervalSince1970: 1_795_420_800 + 8 * 3600)
    static let panel = ["grace@example.com", "alan@example.com"]

    static func open(instances: Int = 2) async throws -> InterviewSagasOnPostgres {
        let directory = try TemporaryDirectory(prefix: "interview-sagas-pg")
        let clock = ManualSagaClock(monday)
        let calendars = try LocalCalendarProvider(path: directory.path("calendars.sqlite"))
        let accounts = CalendarDirectory(accounts: [
            .init(name: "local", provider: calendars, domains: ["*"], probeCalendar: nil, check: { "ok" })
        ])
        let definitions = BuiltProducts.repositoryRoot.appendingPathComponent("sagas")
        let url = try await PostgresTestServer.shared().newDatabase()
        var stores: [PostgresSagaStore] = []
        var engines: [SagaEngine<PostgresSagaWork>] = []
        for index in 0..<instances {
            let store = try await PostgresServiceDatabase.open(PostgresStore.PostgresDatabase(url: url, maximumConnections: 8))
            var handlers = SagaHandlers<PostgresSagaWork.Decision>()
            InterviewSagaHandlers(
                calendars: accounts, storage: PostgresInterviewSagaStorage(store: store),
                organizer: .init(email: "interviews@scheduler.example", name: "Interviews")
            ).register(in: &handlers)
            let catalog = try SagaCatalog.load(directory: definitions, handlers: handlers.inventory)
            let work = PostgresSagaWork(store: store, owner: "instance-\(index)", lease: .seconds(60), clock: clock)
            stores.append(store)
            engines.append(SagaEngine(store: work, catalog: catalog, handlers: handlers, clock: clock))
        }
        return InterviewSagasOnPostgres(clock: clock, engines: engines, stores: stores, calendars: calendars, directory: directory)
    }

    func close() {
        for store in stores { store.database.close() }
        directory.remove()
    }

    /// A request for the panel; `load` adds members to each interviewer (`"maxInterviewsPerDay": 1`).
    static func request(window: (String, String) = ("2026-11-24T00:00:00Z", "2026-11-28T00:00:00Z"), load: String = "") -> String {
        let extra = load.isEmpty ? "" : ", " + load
        return """
            {"candidate": {"id": "cand-1", "name": "Ada Lovelace", "email": "ada@candidates.example", "timeZone": "Europe/Berlin"},
             "interviewers": [{"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "America/New_York"\(extra)},
                              {"name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"\(extra)}],
             "durationMinutes": 60, "window": {"start": "\(window.0)", "end": "\(window.1)"}, "title": "Panel"}
            """
    }

    /// Starts a scheduling saga; the default window (two working weeks) has room for 18
    /// interviews of the panel, whose working hours overlap two hours a day.
    func begin(
        _ id: String, on instance: Int, window: (String, String) = ("2026-11-24T00:00:00Z", "2026-12-05T00:00:00Z"), load: String = ""
    ) async throws {
        let body = try SchedulingRequestBody.decode(from: Data(Self.request(window: window, load: load).utf8), now: Instant(clock.now()))
        _ = try await engines[instance].start(
            type: InterviewSagaKind.scheduling.rawValue, id: id, partitionKey: body.candidateID,
            data: try SagaData(encoding: SchedulingSagaData(request: body, owner: "recruiter@example.com", requestId: id)))
    }

    func reply(_ id: String, on instance: Int) async throws {
        let reply = SchedulingAvailability(requestId: id, interviewerId: nil, availability: [], conflicts: [])
        _ = try await engines[instance].deliver(
            InboundEvent(
                messageID: "reply-\(id)", topic: Topic.schedulingAvailability.rawValue, type: "scheduling.availability", correlation: id,
                payload: try .encoding(reply)))
    }

    /// Every instance runs its due work at once, over and over, the clock moving past backoffs,
    /// until the sagas `ids` have settled or wait for an event.
    func settle(_ ids: [String]) async throws -> [String: SagaInstance] {
        for _ in 0..<100 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for engine in engines { group.addTask { try await engine.runDueWork() } }
                try await group.waitForAll()
            }
            var instances: [String: SagaInstance] = [:]
            for id in ids { instances[id] = try await stores[0].instance(id: id) }
            if instances.values.allSatisfy({ $0.status.isSettled || $0.status == .waiting }) && instances.count == ids.count { return instances }
            clock.advance(by: 60)
        }
        throw StepFailure(.timeout, "the sagas did not settle")
    }

    /// Sends the candidates' due e-mails into the test's directory, as the relays' leader would.
    @discardableResult
    func deliverMail() async throws -> Int {
        let outbox = directory.url.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        return try await MailRelay(
            store: PostgresMailRelayStore(store: stores[0], owner: "instance-0"), transport: MailDirectoryTransport(directory: outbox),
            logger: Logger(label: "mail")
        ).deliverDue()
    }

    func interview(requestID: String) async throws -> InterviewRecord? {
        try await stores[0].database.transaction { try await PostgresInterviewTables().interview(requestID: requestID, in: $0) }
    }

    func mail(ofInterview interviewID: String) async throws -> [MailOutbox.Entry] {
        try await stores[0].database.transaction { try await PostgresMailOutbox().entries(ofInterview: interviewID, in: $0) }
    }

    /// The live (not cancelled) events on an interviewer's calendar.
    func liveEvents(of interviewer: String) throws -> [(id: String, event: CalendarEvent)] {
        try calendars.events(of: interviewer).filter { !$0.cancelled }.map { ($0.id, $0.event) }
    }

    func topics(_ id: String) async throws -> [String] {
        try await stores[0].pendingOutbox(limit: 1000).filter { $0.headers["correlationId"] == id || $0.key == id || $0.id.hasPrefix(id) }.map(
            \.topic)
    }
}

@Suite("Interview sagas on PostgreSQL, two instances")
struct InterviewSagasOnPostgresTests {
    /// Twelve requests for one panel, started and answered half on each instance, moved by both
    /// at once: each is booked once at a time of its own, with one event per interviewer, its
    /// interview stored, the candidate's invitation queued, the time booked in the ledger and
    /// `scheduling.confirmed` waiting for Kafka.
    @Test func aBurstOnOnePanelIsBookedWithoutOverlapByTwoInstances() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let ids = (0..<12).map { "req-\($0)" }
        for (index, id) in ids.enumerated() { try await sagas.begin(id, on: index % 2) }
        _ = try await sagas.settle(ids)
        for (index, id) in ids.enumerated() { try await sagas.reply(id, on: (index + 1) % 2) }
        let settled = try await sagas.settle(ids)
        #expect(settled.values.allSatisfy { $0.status == .completed }, "\(settled.mapValues(\.status))")

        var slots: [Interval] = []
        for id in ids {
            let interview = try #require(try await sagas.interview(requestID: id))
            #expect(interview.status == .confirmed && interview.bookings.count == 2 && interview.inviteRequest.contains("METHOD:REQUEST"))
            slots.append(interview.slot)
            let mail = try await sagas.mail(ofInterview: interview.id)
            #expect(mail.map(\.status) == [.pending] && mail.first?.mail.recipients == ["ada@candidates.example"], "\(id): \(mail)")
        }
        for (index, slot) in slots.enumerated() {
            #expect(!slots[(index + 1)...].contains { $0.overlaps(slot) }, "no two interviews of the panel overlap")
        }
        for interviewer in InterviewSagasOnPostgres.panel {
            let events = try sagas.liveEvents(of: interviewer)
            #expect(events.count == ids.count, "\(interviewer): one event per interview")
            for (index, event) in events.enumerated() {
                let span = Interval(start: event.event.start, end: event.event.end)
                #expect(!events[(index + 1)...].contains { Interval(start: $0.event.start, end: $0.event.end).overlaps(span) })
            }
        }
        let confirmed = try await sagas.stores[0].pendingOutbox(limit: 1000).filter { $0.topic == Topic.schedulingConfirmed.rawValue }
        #expect(Set(confirmed.map(\.id)) == Set(ids.map { "\($0):scheduling.confirmed" }))
        let booked = try await sagas.stores[0].database.transaction { connection in
            try await PostgresInterviewerTimeLedger().reservations(
                of: InterviewSagasOnPostgres.panel,
                overlapping: Interval(start: Instant(secondsSinceEpoch: 0), end: Instant(secondsSinceEpoch: 4_000_000_000)), in: connection)
        }
        #expect(booked.count == 2 * ids.count && booked.allSatisfy { $0.kind == .booked }, "\(booked.map(\.kind))")
    }

    /// Eight requests for one panel whose members take at most one interview a day, started and
    /// moved by two instances at once: the caps hold across the instances (the exclusion
    /// constraint alone would let two claims on one day through), each interview on a day of
    /// its own.
    @Test func dailyCapsHoldAcrossInstances() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let ids = (0..<8).map { "capped-\($0)" }
        for (index, id) in ids.enumerated() { try await sagas.begin(id, on: index % 2, load: #""maxInterviewsPerDay": 1"#) }
        _ = try await sagas.settle(ids)
        for (index, id) in ids.enumerated() { try await sagas.reply(id, on: (index + 1) % 2) }
        let settled = try await sagas.settle(ids)
        #expect(settled.values.allSatisfy { $0.status == .completed }, "\(settled.mapValues(\.status))")
        var days: [Int64] = []
        for id in ids {
            // The panel's shared hours are 14:00–16:00 UTC, the same date in every member's zone.
            if let interview = try await sagas.interview(requestID: id) { days.append(interview.slot.start.secondsSinceEpoch / 86_400) }
        }
        #expect(days.count == ids.count && Set(days).count == days.count, "one interview a day: \(days.sorted())")
    }

    /// Two claims of one capped panel on two instances, the second made while the first's
    /// transaction is still open: the second waits for the first and takes another day.
    /// Without the per-interviewer lock it would read the ledger without the first's hold and
    /// take the same day, which the exclusion constraint lets through (the times do not overlap).
    /// The half second only gives a claim that does not wait the time to finish; the outcome of
    /// one that waits does not depend on it.
    @Test func aClaimWaitsForAnotherInstancesOpenClaimOfTheSameInterviewers() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let now = Instant(sagas.clock.now())
        // The first claim's earliest slot is Tuesday 14:00 UTC, the second's (its window opens
        // an hour later) Tuesday 15:00: no overlap, one day.
        let claims = try [("2026-11-24T00:00:00Z", 1), ("2026-11-24T15:00:00Z", 2)].map { start, number in
            let body = try SchedulingRequestBody.decode(
                from: Data(InterviewSagasOnPostgres.request(window: (start, "2026-12-05T00:00:00Z"), load: #""maxInterviewsPerDay": 1"#).utf8),
                now: now)
            var query = try body.slotRequest(busy: [:]).validated(clock: now)
            query.limit = 1
            return SlotClaim(query: query, request: body, holder: ReservationHolder(sagaID: "saga-\(number)", interviewID: "iv-\(number)"))
        }
        let stores = sagas.stores
        let storages = stores.map { PostgresInterviewSagaStorage(store: $0) }
        let held = AsyncStream<Interval>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let first = Task {
            try await stores[0].database.transaction { connection in
                let slot = try await storages[0].hold(claims[0], on: connection)
                held.continuation.yield(slot)
                for await _ in release.stream { break }
                return slot
            }
        }
        var heldSlots = held.stream.makeAsyncIterator()
        _ = await heldSlots.next()
        let second = Task { try await stores[1].database.transaction { try await storages[1].hold(claims[1], on: $0) } }
        try await Task.sleep(for: .milliseconds(500))
        release.continuation.yield()
        release.continuation.finish()
        let (one, two) = (try await first.value, try await second.value)
        #expect(ISO8601.format(one.start) == "2026-11-24T14:00:00Z")
        #expect(one.start.secondsSinceEpoch / 86_400 != two.start.secondsSinceEpoch / 86_400, "\(one) and \(two) on one day")
    }

    /// A booked interview is moved by the rescheduling saga and then cancelled by the
    /// cancellation saga, each on the other instance: the events follow, the invitation is
    /// re-issued with SEQUENCE 1 and then withdrawn, the candidate's mail is queued in order,
    /// and the time is free again.
    @Test func anInterviewIsMovedThenCancelledAcrossInstances() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        try await sagas.begin("req-1", on: 0)
        _ = try await sagas.settle(["req-1"])
        try await sagas.reply("req-1", on: 1)
        let booked = try #require(try await sagas.settle(["req-1"])["req-1"])
        #expect(booked.status == .completed)
        let interview = try #require(try await sagas.interview(requestID: "req-1"))

        let later = try SchedulingRequestBody.decode(
            from: Data(InterviewSagasOnPostgres.request(window: ("2026-11-26T00:00:00Z", "2026-11-28T00:00:00Z")).utf8),
            now: Instant(sagas.clock.now()))
        _ = try await sagas.engines[1].start(
            type: InterviewSagaKind.rescheduling.rawValue, id: "req-1:reschedule", partitionKey: interview.id,
            data: try SagaData(encoding: ReschedulingSagaData(interview: interview, request: later)))
        #expect(try await sagas.settle(["req-1:reschedule"])["req-1:reschedule"]?.status == .completed)
        let moved = try #require(try await sagas.interview(requestID: "req-1"))
        #expect(moved.slot.start >= Instant(secondsSinceEpoch: 1_795_680_000) && moved.sequence == 1, "moved into the new window")
        for interviewer in InterviewSagasOnPostgres.panel {
            #expect(try sagas.liveEvents(of: interviewer).map(\.event.start) == [moved.slot.start])
        }

        let booking = try booked.data.decoded(as: SchedulingSagaData.self)
        _ = try await sagas.engines[0].start(
            type: InterviewSagaKind.cancellation.rawValue, id: "req-1:cancel", partitionKey: booked.partitionKey,
            data: try SagaData(encoding: CancellationSagaData(booking: booking, reason: .interviewerUnavailable, by: "recruiter@example.com")))
        #expect(try await sagas.settle(["req-1:cancel"])["req-1:cancel"]?.status == .completed)
        let cancelled = try #require(try await sagas.interview(requestID: "req-1"))
        #expect(cancelled.status == .cancelled && cancelled.sequence == 2 && cancelled.inviteCancel?.contains("METHOD:CANCEL") == true)
        // Nothing was sent meanwhile (no relay runs here): each version replaced the one before,
        // and a CANCEL of an invitation the candidate never had is not sent either.
        let mail = try await sagas.mail(ofInterview: interview.id)
        #expect(mail.map(\.sequence) == [0, 1, 2] && mail.map(\.status) == [.superseded, .superseded, .superseded], "\(mail)")
        for interviewer in InterviewSagasOnPostgres.panel { #expect(try sagas.liveEvents(of: interviewer).isEmpty) }
    }
}
