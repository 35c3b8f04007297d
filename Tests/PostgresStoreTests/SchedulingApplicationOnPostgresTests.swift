import Foundation
import InterviewScheduling
import PostgresStore
import SagaCore
import SchedulerTesting
import SchedulingCore
import Testing

/// The use cases on PostgreSQL, through two instances' applications on one database: requests
/// under an `Idempotency-Key`, the request's status from either instance, the interview and its
/// invitation, a cancel and a reschedule of one interview at once, a stop while scheduling,
/// and what runs on SQLite only refused by name.
@Suite("Scheduling use cases on PostgreSQL, two instances")
struct SchedulingApplicationOnPostgresTests {
    static let recruiter = Caller(subject: "recruiter@example.com", role: .recruiter)
    static let stranger = Caller(subject: "someone-else@example.com", role: .recruiter)

    static func applications(_ sagas: InterviewSagasOnPostgres) -> [SchedulingApplication] {
        sagas.engines.map { engine in SchedulingApplication(storage: PostgresSchedulingStorage(engine: engine), now: { sagas.clock.now() }) }
    }

    /// A request made through the first instance, answered through the second, confirmed.
    static func confirmedRequest(_ sagas: InterviewSagasOnPostgres, _ apps: [SchedulingApplication]) async throws -> String {
        let requestID = try await apps[0].requestInterview(RequestInterview(caller: recruiter, body: body(), idempotencyKey: nil)).requestID
        _ = try await sagas.settle([requestID])
        try await sagas.reply(requestID, on: 1)
        #expect(try await sagas.settle([requestID])[requestID]?.status == .completed)
        return requestID
    }

    static func body(window: (String, String) = ("2026-11-24T00:00:00Z", "2026-12-05T00:00:00Z")) -> Data {
        Data(InterviewSagasOnPostgres.request(window: window).utf8)
    }

    @Test func aRequestIsAcceptedOncePerKeyAndSeenFromEitherInstance() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = Self.applications(sagas)
        // The same key at once on both instances, half with another body: one body wins, the
        // other is refused; the winner's repeats get the same request. The requests wait for one
        // another on the key; one that waits too long is told to try again, and does, as a
        // client would.
        let outcomes = try await withThrowingTaskGroup(of: Result<String, ApplicationError>.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let body = index.isMultiple(of: 2) ? Self.body() : Self.body(window: ("2026-11-25T00:00:00Z", "2026-12-05T00:00:00Z"))
                    while true {
                        do {
                            let accepted = try await apps[index % 2].requestInterview(
                                RequestInterview(caller: Self.recruiter, body: body, idempotencyKey: "key-1"))
                            return .success(accepted.requestID)
                        } catch let error as ApplicationError {
                            if case .conflict(let detail) = error, detail.hasSuffix("try again") { continue }
                            return .failure(error)
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let accepted = outcomes.compactMap { try? $0.get() }
        let refused = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(accepted.count == 4 && Set(accepted).count == 1, "\(outcomes)")
        #expect(refused.count == 4 && refused.allSatisfy { $0 == .idempotencyKeyReused("key-1") }, "\(refused)")
        let requestID = try #require(accepted.first)

        let status = try await apps[1].requestStatus(requestID, caller: Self.recruiter)
        #expect(status.state == .pending && status.timeline.first?.outcome == "started", "\(status.timeline)")
        await #expect(throws: ApplicationError.notFound("scheduling request \(requestID)")) {
            try await apps[0].requestStatus(requestID, caller: Self.stranger)
        }
        #expect(try await apps[0].auditLog(of: requestID).map(\.action) == ["scheduling-request.create"])
        #expect(await apps[1].databaseIsReachable())
    }

    @Test func confirmedInterviewsAreShownAndACancelAndARescheduleAtOnceNeverBothStart() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = Self.applications(sagas)
        var requestIDs: [String] = []
        for index in 0..<6 {
            requestIDs.append(
                try await apps[index % 2].requestInterview(RequestInterview(caller: Self.recruiter, body: Self.body(), idempotencyKey: nil)).requestID
            )
        }
        _ = try await sagas.settle(requestIDs)
        for (index, id) in requestIDs.enumerated() { try await sagas.reply(id, on: index % 2) }
        _ = try await sagas.settle(requestIDs)
        let status = try await apps[1].requestStatus(requestIDs[0], caller: Self.recruiter)
        #expect(status.state == .confirmed && status.invitation?.state == .pending, "\(status)")
        let interviewID = try #require(status.interviewID)
        let interview = try await apps[0].interview(interviewID, caller: Self.recruiter)
        #expect(interview.invitationDelivery?.sequence == 0)
        #expect(Set(try await apps[1].interviews(InterviewQuery(caller: Self.recruiter)).map(\.requestID)) == Set(requestIDs))
        #expect(try await apps[1].interviews(InterviewQuery(caller: Self.stranger)).isEmpty)
        #expect(try await apps[0].invitation(ofInterview: interviewID, caller: Self.recruiter).text.contains("METHOD:REQUEST"))

        // For every interview at once, a cancel on one instance and a reschedule on the other:
        // each pair goes one at a time, so exactly one of the two starts.
        let window = try JSONDecoder().decode(
            SlotRequest.TimeRange.self, from: Data(#"{"start": "2026-12-01T00:00:00Z", "end": "2026-12-05T00:00:00Z"}"#.utf8))
        let outcomes = await withTaskGroup(of: (String, String, Bool).self) { group in
            for id in requestIDs {
                group.addTask {
                    let started = await Self.outcome { try await apps[0].cancel(CancelRequest(caller: Self.recruiter, requestID: id, reason: nil)) }
                    return (id, "cancel", started)
                }
                group.addTask {
                    let started = await Self.outcome {
                        _ = try await apps[1].reschedule(
                            RescheduleInterview(
                                caller: Self.recruiter, interviewID: InterviewIDs.interview(forRequest: id), window: window, preferredTimes: nil))
                    }
                    return (id, "reschedule", started)
                }
            }
            return await group.reduce(into: [String: [String]]()) { if $1.2 { $0[$1.0, default: []].append($1.1) } }
        }
        for id in requestIDs {
            #expect(outcomes[id, default: []].count == 1, "\(id): \(outcomes[id] ?? [])")
        }
    }

    @Test func aRequestStoppedWhileSchedulingIsUndone() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = Self.applications(sagas)
        let requestID = try await apps[0].requestInterview(RequestInterview(caller: Self.recruiter, body: Self.body(), idempotencyKey: nil)).requestID
        _ = try await sagas.settle([requestID])
        try await apps[1].cancel(CancelRequest(caller: Self.recruiter, requestID: requestID, reason: "candidate_no_show"))
        _ = try await sagas.settle([requestID])
        #expect(try await apps[0].requestStatus(requestID, caller: Self.recruiter).state == .cancelled)
        #expect(try await apps[0].auditLog(of: requestID).map(\.action) == ["scheduling-request.create", "scheduling-request.cancel"])
    }

    /// The candidate's page, their answer and their request for another time, through either
    /// instance; ten answers at once on both instances each announce their change once.
    @Test func theCandidatesPageAnswersAndAsksForAnotherTimeOnEitherInstance() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = Self.applications(sagas)
        let interviewID = InterviewIDs.interview(forRequest: try await Self.confirmedRequest(sagas, apps))

        let page = try await apps[1].candidatePage(interviewID)
        #expect(page.candidateName == "Ada Lovelace" && page.sequence == 0 && page.response == .needsAction && !page.rescheduling)
        await #expect(throws: ApplicationError.notFound("interview iv-nobody")) { _ = try await apps[0].candidatePage("iv-nobody") }

        let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<10 {
                group.addTask {
                    for _ in 0..<50 {
                        do {
                            return try await apps[index % 2].respondAsCandidate(
                                interviewID, index.isMultiple(of: 2) ? .accepted : .declined, toVersion: 0, via: "page")
                        } catch ApplicationError.conflict(let detail) where detail.hasSuffix("try again") {
                            continue
                        }
                    }
                    throw ApplicationError.conflict("still told to try again after 50 attempts")
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let changes = answers.filter { $0 }.count
        #expect(changes >= 1)
        let announced = try await sagas.stores[0].pendingOutbox(limit: 1000).filter { $0.id.hasPrefix("\(interviewID):candidateResponse:") }
        #expect(Set(announced.map(\.id)) == Set((1...changes).map { "\(interviewID):candidateResponse:\($0)" }), "one message per change")
        let audited = try await apps[1].auditLog(of: interviewID).filter { $0.action == "interview.candidate-response" }
        #expect(audited.count == changes)
        let answered = try await apps[0].candidatePage(interviewID).response
        #expect(try await apps[1].respondAsCandidate(interviewID, answered, toVersion: 0, via: "page") == false, "the same answer again")

        let moved = try await apps[1].candidateAsksAnotherTime(interviewID, from: "2026-11-30", to: "2026-12-04")
        #expect(try await apps[0].candidatePage(interviewID).rescheduling)
        _ = try await sagas.settle([moved.rescheduleID])
        #expect(try await apps[0].candidatePage(interviewID).sequence == 1)
        await #expect(
            throws: ApplicationError.conflict("the answer is to version 0 of the invitation; the interview has changed since (version 1)")
        ) { try await apps[0].respondAsCandidate(interviewID, .accepted, toVersion: 0, via: "page") }
        let asked = try await apps[0].auditLog(of: interviewID).filter { $0.action == "interview.reschedule" }
        #expect(asked.map(\.actor) == ["candidate:cand-1"])
    }

    /// A cancel that waits on another transaction holding its interview longer than a command
    /// may wait is refused as a conflict, and nothing of it is stored, also after the other lets go.
    @Test func aCommandThatWaitsTooLongIsRefusedAndLeavesNothing() async throws {
        let sagas = try await InterviewSagasOnPostgres.open()
        defer { sagas.close() }
        let apps = Self.applications(sagas)
        let requestID = try await Self.confirmedRequest(sagas, apps)
        let interviewID = InterviewIDs.interview(forRequest: requestID)
        let store = sagas.stores[1]
        let (held, release) = (Gate(), Gate())
        let holder = Task {
            try await store.database.transaction { connection in
                try await PostgresSagaStore.lock("interview:\(interviewID)", on: connection, logger: store.database.logger)
                held.open()
                await release.wait()
            }
        }
        await held.wait()
        let refusal = await #expect(throws: ApplicationError.self) {
            try await apps[0].cancel(CancelRequest(caller: Self.recruiter, requestID: requestID, reason: nil))
        }
        #expect(refusal == .conflict("\(InterviewIDs.cancellation(ofRequest: requestID)) is being changed by another request; try again"))
        release.open()
        try await holder.value
        #expect(try await sagas.stores[0].instance(id: InterviewIDs.cancellation(ofRequest: requestID)) == nil, "the refused start left nothing")
        #expect(try await apps[0].auditLog(of: requestID).map(\.action) == ["scheduling-request.create"])
    }

    /// Whether the command went ahead; a refusal as a conflict is expected, anything else fails
    /// the test. A command told to try again (it waited too long for another) is tried again,
    /// as a client would.
    static func outcome(_ work: () async throws -> Void) async -> Bool {
        while true {
            do {
                try await work()
                return true
            } catch let error as ApplicationError {
                if case .conflict(let detail) = error {
                    if detail.hasSuffix("try again") { continue }
                    return false
                }
                Issue.record("unexpected refusal: \(error)")
                return false
            } catch {
                Issue.record("unexpected error: \(error)")
                return false
            }
        }
    }
}
