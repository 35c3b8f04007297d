import CalendarProviders
import Foundation
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import SchedulingCore
import Synchronization
import Testing

@Suite("Compensation across providers through the saga engine")
struct CompensationTests {
    static let definition = """
        name: panel-booking
        version: 1
        steps:
          - name: book-grace
            action: calendars.book-grace
            compensation: calendars.cancel-grace
            retry: { maxAttempts: 3, initialBackoff: 10ms, jitter: none, retryOn: [transient, timeout, unavailable] }
          - name: book-linus
            action: calendars.book-linus
            compensation: calendars.cancel-linus
            retry: { maxAttempts: 3, initialBackoff: 10ms, jitter: none, retryOn: [transient, timeout, unavailable] }
        """

    /// Interviewer A is on Google and gets booked; B is on Graph, whose mailbox refuses the
    /// write (403): the saga compensates, cancelling A's event through Google.
    @Test func aPermanentFailureForTheSecondInterviewerCancelsTheFirstOnesEvent() async throws {
        try await ProviderTestBed.run { bed in
            let google = try await bed.googleProvider()
            let graph = await bed.graphProvider()
            bed.graph.readOnlyMailboxes.withLock { _ = $0.insert("linus@contoso.example") }
            let directory = try TemporaryDirectory(prefix: "compensation")
            defer { directory.remove() }
            let sagas = directory.url.appendingPathComponent("sagas")
            try FileManager.default.createDirectory(at: sagas, withIntermediateDirectories: true)
            try Self.definition.write(to: sagas.appendingPathComponent("panel-booking.yaml"), atomically: true, encoding: .utf8)

            var handlers = SQLiteSagaHandlers()
            for (person, provider) in [("grace", google as any CalendarProvider), ("linus", graph)] {
                let calendar = person == "grace" ? "grace@acme.example" : "linus@contoso.example"
                handlers.action("calendars.book-\(person)", requiresCompensation: true) { context in
                    do {
                        let reference = try await provider.createEvent(
                            GoogleCalendarProviderTests.event(), in: calendar, idempotencyKey: context.idempotencyKey)
                        return StepOutcome(dataPatch: ["\(person)EventID": .string(reference.eventID)])
                    } catch let error as ProviderError {
                        throw StepFailure(error.kind == .rejected || error.kind == .authentication ? .permanent : .transient, error.description)
                    }
                }
                handlers.compensation("calendars.cancel-\(person)") { context in
                    guard let id = context.data["\(person)EventID"]?.stringValue else { return }
                    try await provider.cancelEvent(
                        ProviderEventReference(provider: provider.name, calendar: calendar, eventID: id), comment: "The interview could not be booked"
                    )
                }
            }
            let store = try SagaStore(path: directory.path("sagas.sqlite"))
            let engine = SagaEngine(store: store, catalog: try SagaCatalog.load(directory: sagas, handlers: handlers.inventory), handlers: handlers)
            try await engine.start(type: "panel-booking", id: "saga-42", partitionKey: "req-42", data: [:])
            for _ in 0..<50 where try await store.instance(id: "saga-42")?.status.isSettled != true {
                try await engine.runDueWork()
                try await Task.sleep(for: .milliseconds(20))
            }
            let instance = try #require(try await store.instance(id: "saga-42"))
            #expect(instance.status == .compensated)
            #expect(bed.google.allEvents.count == 1, "A was booked once")
            #expect(bed.google.liveEvents.isEmpty, "and is cancelled now")
            #expect(bed.graph.allEvents.isEmpty, "B was never booked")
            let log = try await store.stepLog(sagaID: "saga-42").map { "\($0.phase.rawValue):\($0.step ?? "-"):\($0.outcome.rawValue)" }
            #expect(log.contains("compensation:book-grace:succeeded"))
        }
    }
}
