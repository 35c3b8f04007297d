import CalendarProviders
import Foundation
import GRDB
import ICalendar
import SchedulerTesting
import SchedulingCore
import Testing

@Suite("Local calendar provider: SQLite events and .ics feeds")
struct LocalCalendarProviderTests {
    static let event = GoogleCalendarProviderTests.event()

    func provider() throws -> (LocalCalendarProvider, TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "local-calendar")
        return (try LocalCalendarProvider(path: directory.path("data/calendars.sqlite")), directory)
    }

    @Test func createIsIdempotentByKeyAndBusyTimeSeesOnlyLiveEvents() async throws {
        let (local, directory) = try provider()
        defer { directory.remove() }
        let first = try await local.createEvent(Self.event, in: "grace@acme.example", idempotencyKey: "saga-1:book:grace")
        let again = try await local.createEvent(Self.event, in: "grace@acme.example", idempotencyKey: "saga-1:book:grace")
        let other = try await local.createEvent(Self.event, in: "grace@acme.example", idempotencyKey: "saga-2:book:grace")
        #expect(first == again && first != other)
        let window = Interval(start: Self.event.start, end: Self.event.end)
        #expect(
            try await local.busyTime(of: ["grace@acme.example", "linus@acme.example"], in: window) == [
                "grace@acme.example": IntervalSet([window]), "linus@acme.example": IntervalSet([]),
            ])
        try await local.cancelEvent(first, comment: "withdrawn")
        try await local.cancelEvent(first, comment: "again")
        try await local.deleteEvent(other)
        try await local.deleteEvent(other)
        #expect(try await local.busyTime(of: ["grace@acme.example"], in: window)["grace@acme.example"]?.intervals.isEmpty == true)
    }

    @Test func keysThatDifferOnlyInPunctuationGetTheirOwnEventsAndCalendarsIgnoreCase() async throws {
        let (local, directory) = try provider()
        defer { directory.remove() }
        let dotted = try await local.createEvent(Self.event, in: "a.b@acme.example", idempotencyKey: "saga-9:book:a.b@acme.example")
        let underscored = try await local.createEvent(Self.event, in: "a_b@acme.example", idempotencyKey: "saga-9:book:a_b@acme.example")
        #expect(dotted.eventID != underscored.eventID)
        _ = try await local.createEvent(Self.event, in: "Grace@Acme.example", idempotencyKey: "saga-10:book:grace")
        let window = Interval(start: Self.event.start, end: Self.event.end)
        #expect(try await local.busyTime(of: ["grace@acme.example"], in: window)["grace@acme.example"]?.intervals == [window])
        #expect(
            local.reference(forIdempotencyKey: "saga-10:book:grace", in: "GRACE@acme.example")?.eventID
                == (try local.events(of: "grace@acme.example").first?.id))
    }

    /// Bookings that arrive while a write is under way wait for the next transaction and share
    /// it; an update of a cancelled event among them is rejected alone. (A write that throws
    /// inside a shared transaction is rolled back alone: `SagaStoreTests`, same batcher.)
    @Test func concurrentWritesShareOneTransactionAndARejectedUpdateDoesNotStopTheOthers() async throws {
        let (local, directory) = try provider()
        defer { directory.remove() }
        let cancelled = try await local.createEvent(Self.event, in: "grace@acme.example", idempotencyKey: "saga-0:book:grace")
        try await local.cancelEvent(cancelled, comment: "withdrawn")
        // Another connection holds the write lock, so the first write waits in SQLite's busy
        // handler and every later one queues behind it.
        var holdsTheLock = Configuration()
        holdsTheLock.allowsUnsafeTransactions = true
        let blocker = try DatabaseQueue(path: directory.path("data/calendars.sqlite"), configuration: holdsTheLock)
        try await blocker.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let commitsBefore = local.committedTransactions
        let panel = ["grace", "linus", "ada", "alan"].map { "\($0)@acme.example" }
        let results = Task {
            await withTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        (try? await local.createEvent(Self.event, in: panel[index % 4], idempotencyKey: "saga-\(index + 1):book")) != nil
                    }
                }
                group.addTask { (try? await local.updateEvent(cancelled, to: Self.event)) != nil }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        // Within SQLite's 10 s busy wait, after which the first batch would fail.
        #expect(try await eventually(8) { local.writesUnanswered == 41 }, "every write is asked for while the lock is held")
        try await blocker.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        let outcomes = await results.value
        #expect(outcomes.filter { $0 }.count == 40, "every booking is stored; only the update of a cancelled event fails")
        // The first batch is whatever had arrived when the writer took it (one write or all of
        // them); every later one joins the second.
        #expect((1...2).contains(local.committedTransactions - commitsBefore), "41 writes in at most two transactions")
        let window = Interval(start: Self.event.start, end: Self.event.end)
        let busy = try await local.busyTime(of: panel, in: window)
        for calendar in panel { #expect(busy[calendar]?.intervals == [window]) }
        #expect(try local.events(of: "grace@acme.example").count == 11, "ten bookings and the cancelled event")
    }

    @Test func updatingACancelledEventIsRejected() async throws {
        let (local, directory) = try provider()
        defer { directory.remove() }
        let reference = try await local.createEvent(Self.event, in: "grace@acme.example", idempotencyKey: "saga-3:book:grace")
        try await local.cancelEvent(reference, comment: "withdrawn")
        let error = await #expect(throws: ProviderError.self) { try await local.updateEvent(reference, to: Self.event) }
        #expect(error?.kind == .rejected)
    }

    @Test func theFeedPublishesLiveAndCancelledEventsAndReadsBackAsBusyTime() async throws {
        let (local, directory) = try provider()
        defer { directory.remove() }
        let kept = try await local.createEvent(Self.event, in: "grace@acme.example", idempotencyKey: "saga-4:book:grace")
        var later = Self.event
        later.start = Instant(secondsSinceEpoch: Self.event.start.secondsSinceEpoch + 7200)
        later.end = Instant(secondsSinceEpoch: later.start.secondsSinceEpoch + 3600)
        let cancelled = try await local.createEvent(later, in: "grace@acme.example", idempotencyKey: "saga-5:book:grace")
        try await local.cancelEvent(cancelled, comment: "withdrawn")
        let feed = try local.feed(of: "grace@acme.example", stamp: Self.event.start)
        #expect(feed.contains("METHOD:PUBLISH\r\n") && feed.contains("STATUS:CANCELLED\r\n"))
        #expect(feed.contains("UID:\(kept.eventID)@interview-scheduler\r\n"))
        let document = try ICalendarDocument(text: feed)
        let window = Interval(start: Self.event.start, end: later.end)
        let busy = try BusyTimeReader(ownerZone: try #require(TimeZone(identifier: "America/New_York"))).busyTime(in: document, window: window)
        #expect(busy.intervals == [Interval(start: Self.event.start, end: Self.event.end)], "the cancelled event is not busy time")
    }
}
