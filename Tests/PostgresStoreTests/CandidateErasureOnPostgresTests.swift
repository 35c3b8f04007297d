import CalendarProviders
import Events
import Foundation
import InterviewScheduling
import Logging
import PostgresNIO
import PostgresStore
import SagaCore
import SagaEngine
import SchedulerTesting
import SchedulingCore
import Testing

/// The candidate's erasure on PostgreSQL, asked for on one instance and run by two: what
/// every table still says of the candidate afterwards, the calendars, the audit trail, and
/// erasures asked for on both instances at once.
@Suite("Candidate erasure on PostgreSQL, two instances")
struct CandidateErasureOnPostgresTests {
    static let admin = Caller(subject: "dpo@example.com", role: .admin)
    /// The candidate of `InterviewSagasOnPostgres.request`, in the forms they were written in.
    static let traces = ["Ada Lovelace", "ada@candidates.example", "Lovelace", "candidates.example"]

    /// Runs both instances and sends the mail until the latest erasure of `cand-1` has ended
    /// (its first step waits, with backoff, for the cancellations and e-mails it caused).
    static func runUntilErased(_ sagas: InterviewSagasOnPostgres, _ app: SchedulingApplication) async throws -> ErasureStatus {
        for _ in 0..<60 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for engine in sagas.engines { group.addTask { try await engine.runDueWork() } }
                try await group.waitForAll()
            }
            try await sagas.deliverMail()
            let status = try await app.erasureStatus(of: "cand-1", caller: admin)
            if status.state != .running { return status }
            sagas.clock.advance(by: 30)
        }
        throw StepFailure(.timeout, "the erasure did not end")
    }

    /// The text of every row of every table in the database, bytea columns included (as escaped text).
    static func everyRow(of store: PostgresSagaStore) async throws -> [String: String] {
        var columns: [String: [String]] = [:]
        let rows = try await store.database.query(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'
            ORDER BY table_name, ordinal_position
            """
        ).collect()
        for row in rows {
            let (table, column, type) = try row.decode((String, String, String).self)
            columns[table, default: []].append(type == "bytea" ? "encode(\"\(column)\", 'escape')" : "\"\(column)\"::text")
        }
        var text: [String: String] = [:]
        for (table, expressions) in columns {
            let values = try await store.database.query(
                "SELECT coalesce(string_agg(concat_ws(' ', \(unescaped: expressions.joined(separator: ", "))), E'\\n'), '') FROM \"\(unescaped: table)\""
            ).collect()
            text[table] = try values.first?.decode(String.self) ?? ""
        }
        return text
    }

    static func found(in tables: [String: String]) -> [String] {
        tables.flatMap { table, text in traces.filter { text.localizedCaseInsensitiveContains($0) }.map { "\($0) in \(table)" } }.sorted()
    }

    @Test func anErasureLeavesNothingOfTheCandidateInAnyTableOrCalendar() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = SchedulingApplicationOnPostgresTests.applications(sagas)
        let requestID = try await SchedulingApplicationOnPostgresTests.confirmedRequest(sagas, apps)
        #expect(try await sagas.deliverMail() == 1, "the invitation")
        let before = Self.found(in: try await Self.everyRow(of: sagas.stores[0]))
        #expect(before.contains("Ada Lovelace in saga_instance") && before.contains("ada@candidates.example in mail_outbox"), "\(before)")

        await #expect(throws: ApplicationError.forbidden("only an admin may erase a candidate or see erasures")) {
            _ = try await apps[1].eraseCandidate(EraseCandidate(caller: SchedulingApplicationOnPostgresTests.recruiter, candidateID: "cand-1"))
        }
        let asked = try await apps[1].eraseCandidate(EraseCandidate(caller: Self.admin, candidateID: "cand-1"))
        #expect(asked.state == .running && asked.erasureID == "erasure:cand-1")
        await #expect(throws: ApplicationError.conflict("candidate cand-1 is being erased; ask again once the erasure has finished")) {
            _ = try await apps[0].requestInterview(
                RequestInterview(
                    caller: SchedulingApplicationOnPostgresTests.recruiter, body: SchedulingApplicationOnPostgresTests.body(), idempotencyKey: nil))
        }
        let status = try await Self.runUntilErased(sagas, apps[0])
        #expect(status.state == .completed, "\(status)")
        #expect(status.sagasErased == 2 && status.interviewsErased == 1, "the request and its cancellation: \(status)")
        #expect(try await apps[1].eraseCandidate(EraseCandidate(caller: Self.admin, candidateID: "cand-1")) == status, "asked again: the same answer")

        // What was ahead was cancelled first, with the CANCEL to the candidate.
        #expect(try await apps[0].requestStatus(requestID, caller: SchedulingApplicationOnPostgresTests.recruiter).state == .cancelled)
        #expect(Self.found(in: try await Self.everyRow(of: sagas.stores[1])) == [])
        for interviewer in InterviewSagasOnPostgres.panel {
            for event in try sagas.calendars.events(of: interviewer) {
                let text = "\(event.event.title) \(event.event.description) \(event.event.attendees)"
                #expect(!Self.traces.contains { text.localizedCaseInsensitiveContains($0) }, "\(interviewer): \(text)")
            }
        }
        let audit = try await apps[0].auditLog(of: "cand-1")
        #expect(audit.map(\.action) == ["candidate.erasure.requested", "candidate.erasure"])
        #expect(audit.last?.actor == "dpo@example.com" && audit.last?.detail == "requests: 1, sagas: 2, interviews: 1")
    }

    /// A cancel prepared from the request before the erasure rewrote it (its copy names the
    /// candidate) and stored after is refused, on either instance: the rewrite moved the
    /// request's version, which the cancel's check compares under the candidate's lock.
    @Test func aCancelPreparedBeforeTheErasureIsRefusedAfterIt() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = SchedulingApplicationOnPostgresTests.applications(sagas)
        let requestID = try await SchedulingApplicationOnPostgresTests.confirmedRequest(sagas, apps)
        let request = try #require(try await sagas.stores[0].instance(id: requestID))
        let cancellationID = InterviewIDs.cancellation(ofRequest: requestID)
        let start = SagaStart(
            type: InterviewSagaKind.cancellation.rawValue, id: cancellationID, partitionKey: "cand-1",
            data: try SagaData(
                encoding: CancellationSagaData(
                    booking: try request.data.decoded(as: SchedulingSagaData.self), reason: .interviewerUnavailable, by: "recruiter@example.com")),
            check: .cancellation(
                candidateID: "cand-1", requestID: requestID, requestVersion: request.version,
                interviewID: InterviewIDs.interview(forRequest: requestID), cancellationID: cancellationID),
            writes: [])
        // The erasure's rewrite of the request, as its records step makes it.
        _ = try await sagas.stores[1].database.transaction { connection in
            try await PostgresSagaStore.rewrite(
                sagas: [requestID], on: connection, logger: Logger(label: "test"), data: { $0 }, text: { $0 }, payload: { $0 })
        }
        let storage = PostgresSchedulingStorage(engine: sagas.engines[1])
        await #expect(throws: ApplicationError.conflict("request \(requestID) changed while this command was prepared; try again")) {
            try await storage.start(start)
        }
        #expect(try await sagas.stores[0].instance(id: cancellationID) == nil, "nothing of the refused cancel is stored")
    }

    /// After an erasure the candidate applies again; ten erasures asked for on both instances
    /// at once start one new erasure, and all ten answer with it.
    @Test func erasuresAskedForOnBothInstancesAtOnceStartOne() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = SchedulingApplicationOnPostgresTests.applications(sagas)
        _ = try await SchedulingApplicationOnPostgresTests.confirmedRequest(sagas, apps)
        let first = try await apps[0].eraseCandidate(EraseCandidate(caller: Self.admin, candidateID: "cand-1", cancelFutureInterviews: false))
        #expect(try await Self.runUntilErased(sagas, apps[0]).state == .completed)
        _ = try await SchedulingApplicationOnPostgresTests.confirmedRequest(sagas, apps)

        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<10 {
                group.addTask {
                    for _ in 0..<50 {
                        do {
                            return try await apps[index % 2].eraseCandidate(
                                EraseCandidate(caller: Self.admin, candidateID: "cand-1", cancelFutureInterviews: false)
                            ).erasureID
                        } catch ApplicationError.conflict(let detail) where detail.hasSuffix("try again") {
                            continue  // waited on another instance's start too long, as a client would retry
                        }
                    }
                    throw ApplicationError.conflict("still told to try again after 50 attempts")
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(answers).count == 1 && answers.first != first.erasureID, "\(answers)")
        let requested = try await apps[1].auditLog(of: "cand-1").filter { $0.action == "candidate.erasure.requested" }
        #expect(requested.count == 2, "one for each erasure: \(requested)")
        #expect(try await Self.runUntilErased(sagas, apps[1]).state == .completed)
        #expect(Self.found(in: try await Self.everyRow(of: sagas.stores[0])) == [])
    }
}
