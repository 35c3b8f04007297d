import CalendarProviders
import Events
import Foundation
import ICalendar
import Logging
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore

/// The steps of `sagas/interview-scheduling.yaml`: ask the calendar service, gather its
/// replies, choose a slot checked against each calendar now, book every interviewer's
/// calendar, issue the candidate's invitation, announce. A failure undoes what was done
/// and reports it on `error.occurred`.
extension InterviewSagaHandlers {
    func registerScheduling(in handlers: inout SagaHandlers<Storage.Decision>) {
        handlers.action("scheduling.request", requiresCompensation: false) { context in
            try self.publishRequest(context, try context.data.typed(SchedulingSagaData.self))
        }
        handlers.compensationWithMessages("scheduling.reportFailure") { context in
            try self.reportFailure(context, try context.data.typed(SchedulingSagaData.self))
        }
        handlers.onEvent("scheduling.collectAvailability") { context, payload in
            try self.collect(try context.data.typed(SchedulingSagaData.self), payload)
        }
        handlers.onDeadline("scheduling.settleAvailability") { context in
            try self.settle(try context.data.typed(SchedulingSagaData.self))
        }
        handlers.transactionalAction("interview.chooseSlot", requiresCompensation: false) { context in
            try await self.chooseSlot(context, try context.data.typed(SchedulingSagaData.self))
        }
        handlers.action("interview.bookCalendars", requiresCompensation: true) { context in
            try await self.book(context, try context.data.typed(SchedulingSagaData.self))
        }
        handlers.compensation("interview.releaseCalendars") { context in
            let data = try context.data.typed(SchedulingSagaData.self)
            try await self.release(data.bookings, of: data.request, bookedBy: data.requestId)
        }
        handlers.transactionalAction("interview.issueInvitation", requiresCompensation: true) { context in
            try await self.issueInvitation(context, try context.data.typed(SchedulingSagaData.self))
        }
        handlers.compensationWithMessages("interview.withdrawInvitation") { context in
            let data = try context.data.typed(SchedulingSagaData.self)
            let withdrawn = try await self.withdrawInvitation(
                context, request: data.request, requestID: data.requestId, reason: .interviewerUnavailable, by: "system")
            return CompensationOutcome(messages: withdrawn)
        }
        handlers.action("interview.announce", requiresCompensation: false) { context in
            try self.announce(context, try context.data.typed(SchedulingSagaData.self))
        }
    }

    // MARK: 1. Ask the calendar service

    func publishRequest(_ context: StepContext, _ data: SchedulingSagaData) throws -> StepOutcome {
        let query = try Self.permanent { try data.request.slotRequest(busy: [:]).validated(clock: Instant(context.now)) }
        let message = try InterviewMessages.requested(data.request, requestID: data.requestId, query: query, now: context.now)
        return StepOutcome(messages: [message], awaitCorrelation: data.requestId)
    }

    func collect(_ data: SchedulingSagaData, _ payload: JSONValue) throws -> EventDecision {
        var replies = data.replies ?? AvailabilityReplies()
        replies.add(try payload.decoded(as: SchedulingAvailability.self))
        // Only what changed: the patch is merged into the stored data member by member.
        let patch: SagaData = ["replies": try .encoding(replies)]
        return replies.missing(from: data.request.interviewers.map(\.email)).isEmpty ? .complete(StepOutcome(dataPatch: patch)) : .keepWaiting(patch)
    }

    func settle(_ data: SchedulingSagaData) throws -> DeadlineDecision {
        let missing = (data.replies ?? AvailabilityReplies()).missing(from: data.request.interviewers.map(\.email))
        guard missing.isEmpty else {
            return .fail(StepFailure(.timeout, "no availability from \(missing.joined(separator: ", ")) by the deadline"))
        }
        return .proceed(StepOutcome())
    }

    // MARK: 2. Choose a slot, checked against the calendars now, and hold it

    /// Reads the calendars, then (in the transaction that stores the result) searches with
    /// the ledger's reservations as busy time and holds the slot for the panel.
    func chooseSlot(_ context: StepContext, _ data: SchedulingSagaData) async throws -> Storage.Decision {
        let reported = (data.replies ?? AvailabilityReplies()).busyByInterviewer(data.request.interviewers.map(\.email))
        let query = try await slotQuery(for: data.request, reported: reported, ignoring: nil, now: context.now)
        let holder = ReservationHolder(sagaID: context.sagaID, interviewID: InterviewIDs.interview(forRequest: data.requestId))
        return storage.decision(claiming: slotClaim(query, for: data.request, holder: holder)) { slot in
            self.log(context, requestID: data.requestId, "slot chosen and held", ["slot": "\(ISO8601.format(slot.start))"])
            return StepOutcome(dataPatch: ["slot": try .encoding(SlotTimes(slot))])
        }
    }

    /// Each interviewer's busy time in `window` as their calendar account shows it now, by
    /// lower-cased e-mail.
    /// One call per account for all of its interviewers (the adapters split it into the
    /// API's batches: 50 calendars for Google, 20 mailboxes for Graph), the accounts at once.
    func currentBusyTime(_ interviewers: [String], in window: Interval) async throws -> [String: [Interval]] {
        var byAccount: [String: (account: CalendarDirectory.Account, calendars: [String])] = [:]
        for interviewer in interviewers {
            guard let account = calendars.account(for: interviewer) else { continue }
            byAccount[account.name, default: (account, [])].calendars.append(interviewer)
        }
        return try await withThrowingTaskGroup(of: [String: [Interval]].self) { group in
            for (account, calendars) in byAccount.values {
                group.addTask {
                    let busy = try await Self.providerCall { try await account.provider.busyTime(of: calendars, in: window) }
                    return Dictionary(calendars.map { ($0.lowercased(), busy[$0]?.intervals ?? []) }) { first, _ in first }
                }
            }
            var result: [String: [Interval]] = [:]
            for try await part in group { result.merge(part) { first, _ in first } }
            return result
        }
    }

    // MARK: 3. Book every interviewer's calendar

    /// The idempotency key of one interviewer's event: the same in every attempt and after a
    /// crash, so a retry finds the event the earlier attempt made.
    static func bookingKey(requestID: String, interviewer: String) -> String {
        "\(requestID):book:\(interviewer.lowercased())"
    }

    func book(_ context: StepContext, _ data: SchedulingSagaData) async throws -> StepOutcome {
        var data = data
        let slot = try await slotToBook(context, data)
        data.slot = SlotTimes(slot)
        var accounts: [(interviewer: SchedulingRequestBody.Person, account: CalendarDirectory.Account)] = []
        for interviewer in data.request.interviewers {
            guard let account = calendars.account(for: interviewer.email) else {
                throw StepFailure(.permanent, "no calendar account serves \(interviewer.email)")
            }
            accounts.append((interviewer, account))
        }
        // The host's calendar makes the meeting first; everyone else's event carries its link.
        let meeting = try await hostMeeting(data, accounts: accounts, slot: slot)
        if let meeting {
            data.request.meetingUrl = meeting.joinURL
            data.request.conferencing = nil
        }
        let request = data.request
        // Every other interviewer's event at once (at most 20: the panel's limit).
        var outcomes = await withTaskGroup(of: (String, Result<ProviderEventReference, StepFailure>).self) { group in
            for (interviewer, account) in accounts.dropFirst(meeting == nil ? 0 : 1) {
                let event = calendarEvent(request, slot: slot, zone: interviewer.timeZone)
                let key = Self.bookingKey(requestID: data.requestId, interviewer: interviewer.email)
                group.addTask {
                    (key, await Self.outcome { try await account.provider.createEvent(event, in: interviewer.email, idempotencyKey: key) })
                }
            }
            var outcomes: [String: Result<ProviderEventReference, StepFailure>] = [:]
            for await (key, outcome) in group { outcomes[key] = outcome }
            return outcomes
        }
        if let meeting, let host = accounts.first {
            outcomes[Self.bookingKey(requestID: data.requestId, interviewer: host.interviewer.email)] = .success(meeting.reference)
        }
        // In the panel's order.
        let results = data.request.interviewers.compactMap { outcomes[Self.bookingKey(requestID: data.requestId, interviewer: $0.email)] }
        let bookings = results.compactMap { try? $0.get() }
        let failures = results.compactMap { result -> StepFailure? in
            if case .failure(let failure) = result { return failure }
            return nil
        }
        if let failure = failures.first(where: { $0.kind == .permanent }) ?? failures.first {
            // A permanent refusal ends the booking: undo the events the others made. After
            // only temporary failures, the retry finds them again by key.
            if failure.kind == .permanent { await undo(bookings) }
            throw failure
        }
        log(context, requestID: data.requestId, "calendars booked", ["events": "\(bookings.count)"])
        // Only what changed: the slot, the events, and the request when it gained the meeting's link.
        var patch: SagaData = ["slot": try .encoding(SlotTimes(slot)), "bookings": try .encoding(bookings)]
        if meeting != nil { patch["request"] = try .encoding(data.request) }
        return StepOutcome(dataPatch: patch)
    }

    /// The online meeting, made with the host's (the first interviewer's) event, when the
    /// request wants the provider's meeting and the host's account can make one; nil
    /// otherwise. Idempotent by the host's booking key: a retry gets the same meeting.
    func hostMeeting(
        _ data: SchedulingSagaData, accounts: [(interviewer: SchedulingRequestBody.Person, account: CalendarDirectory.Account)], slot: Interval
    ) async throws -> OnlineMeetingEvent? {
        guard case .provider(let required) = data.request.conferencingMode, let (host, account) = accounts.first else { return nil }
        guard account.provider.createsOnlineMeetings else {
            guard required else { return nil }
            throw StepFailure(
                .permanent,
                "conferencing \"provider\": the calendar account of \(host.email) (\(account.provider.name)) cannot create online meetings")
        }
        let key = Self.bookingKey(requestID: data.requestId, interviewer: host.email)
        let event = calendarEvent(data.request, slot: slot, zone: host.timeZone)
        let made: OnlineMeetingEvent
        switch await Self.outcome({ try await account.provider.createEventWithOnlineMeeting(event, in: host.email, idempotencyKey: key) }) {
        case .success(let meeting): made = meeting
        case .failure(let failure):
            // Refused for good: the event may exist without its meeting, and nothing else
            // records it, so it goes now.
            if failure.kind == .permanent, let reference = account.provider.reference(forIdempotencyKey: key, in: host.email) {
                await undo([reference])
            }
            throw failure
        }
        // Every later step re-checks the request, links included: a link it would refuse is refused now.
        guard RequestText.isWebURL(made.joinURL), RequestText.isOneLine(made.joinURL, maximum: SchedulingRequestBody.maximumTextLength) else {
            await undo([made.reference])
            throw StepFailure(.permanent, "the meeting link \(account.provider.name) gave is not an http(s) URL: \(made.joinURL.prefix(100))")
        }
        return made
    }

    /// A provider call's result as a value, its error as a step failure. (The typed throw is
    /// converted here, outside the task group: catching it inside a child task's closure
    /// corrupted the group's results in release builds of Swift 6.3.1.)
    static func outcome<T: Sendable>(_ call: () async throws -> T) async -> Result<T, StepFailure> {
        do {
            return .success(try await providerCall(call))
        } catch let failure as StepFailure {
            return .failure(failure)
        } catch {
            return .failure(stepFailure(error))
        }
    }

    /// How often a held slot that a meeting made outside the service took is chosen again.
    static var maximumRechoices: Int { 3 }

    /// The slot the ledger holds for this saga, checked against the calendars once more on
    /// the first attempt: when a meeting made outside the service has taken it since it was
    /// chosen, the hold moves to the next best slot (in one write), up to `maximumRechoices`
    /// times. Later attempts do not re-check: their own earlier events would look like a
    /// conflict. The ledger is read first, so a crash after a move books the moved slot.
    func slotToBook(_ context: StepContext, _ data: SchedulingSagaData) async throws -> Interval {
        guard let chosen = data.slot?.interval else { throw StepFailure(.permanent, "the saga has no chosen slot") }
        let held = try await storage.reservations(of: context.sagaID).first
        var slot = held.map { Interval(start: $0.slotStart, end: $0.slotStart + (chosen.end - chosen.start)) } ?? chosen
        guard context.attempt == 1 else { return slot }
        for _ in 0..<Self.maximumRechoices {
            guard let taker = try await interviewerWhoseCalendarTook(slot, data.request) else { return slot }
            log(
                context, requestID: data.requestId, "held slot taken on a calendar since; choosing again", ["interviewer": "\(taker)"], level: .notice
            )
            let reported = (data.replies ?? AvailabilityReplies()).busyByInterviewer(data.request.interviewers.map(\.email))
            let query = try await slotQuery(for: data.request, reported: reported, ignoring: nil, now: context.now)
            let holder = ReservationHolder(sagaID: context.sagaID, interviewID: InterviewIDs.interview(forRequest: data.requestId))
            slot = try await storage.claimSlot(slotClaim(query, for: data.request, holder: holder))
        }
        guard try await interviewerWhoseCalendarTook(slot, data.request) == nil else {
            throw StepFailure(.conflict, "the slot was taken on a calendar \(Self.maximumRechoices) times in a row while it was being booked")
        }
        return slot
    }

    /// The first interviewer whose calendar now shows something in `slot`.
    func interviewerWhoseCalendarTook(_ slot: Interval, _ request: SchedulingRequestBody) async throws -> String? {
        let busy = try await currentBusyTime(request.interviewers.map(\.email), in: slot)
        return request.interviewers.map(\.email).first { busy[$0.lowercased()]?.contains { $0.overlaps(slot) } == true }
    }

    /// Best effort: cancels what this attempt booked before it failed for good.
    private func undo(_ bookings: [ProviderEventReference]) async {
        for reference in bookings {
            try? await calendars.provider(named: reference.provider, calendar: reference.calendar)?.cancelEvent(
                reference, comment: "The interview could not be booked.")
        }
    }

    /// The event on one interviewer's own calendar. It lists no attendees, so the providers
    /// send no invitations of their own: the candidate gets the service's .ics, and each
    /// interviewer has the event on their calendar. The panel is named in the description.
    func calendarEvent(_ request: SchedulingRequestBody, slot: Interval, zone: String) -> CalendarEvent {
        let panel =
            "Candidate: \(request.candidate.name) <\(request.candidate.email)>\nPanel: " + request.interviewers.map(\.name).joined(separator: ", ")
        return CalendarEvent(
            title: request.displayTitle, description: [request.description, panel].compactMap { $0 }.joined(separator: "\n\n"), start: slot.start,
            end: slot.end, timeZone: zone, attendees: [], location: request.location ?? "", meetingURL: request.meetingUrl)
    }

    // MARK: 4. The candidate's invitation

    func invitationRequest(_ request: SchedulingRequestBody, interviewID: String, slot: Interval, sequence: Int, now: Date) -> InvitationRequest {
        InvitationRequest(
            interviewId: interviewID, domain: invitationDomain, sequence: sequence, stamp: ISO8601.format(Instant(now)),
            start: ISO8601.format(slot.start),
            end: ISO8601.format(slot.end), timeZone: request.candidate.timeZone, organizer: .init(email: organizer.email, name: organizer.name),
            attendees: [.init(email: request.candidate.email, name: request.candidate.name, role: "required")]
                + request.interviewers.map { .init(email: $0.email, name: $0.name, role: "required") },
            title: request.displayTitle, description: request.description, location: request.location, meetingUrl: request.meetingUrl)
    }

    /// The rendered .ics of `method` for the interview at `slot`.
    func invitation(
        _ method: Invitation.Method, _ request: SchedulingRequestBody, interviewID: String, slot: Interval, sequence: Int, now: Date
    ) throws -> String {
        try Self.permanent {
            try invitationRequest(request, interviewID: interviewID, slot: slot, sequence: sequence, now: now).invitation(
                method: method, now: Instant(now)
            ).render()
        }
    }

    /// Renders the METHOD:REQUEST; the interview row and the candidate's e-mail are written
    /// with the step's result.
    func issueInvitation(_ context: StepContext, _ data: SchedulingSagaData) async throws -> Storage.Decision {
        guard let slot = data.slot?.interval else { throw StepFailure(.permanent, "the saga has no chosen slot") }
        let interviewID = InterviewIDs.interview(forRequest: data.requestId)
        let ics = try invitation(.request, data.request, interviewID: interviewID, slot: slot, sequence: 0, now: context.now)
        let interview = InterviewRecord(
            id: interviewID, requestID: data.requestId, candidateID: data.request.candidateID, owner: data.owner, slot: slot, status: .confirmed,
            sequence: 0, inviteRequest: ics, inviteCancel: nil, bookings: data.bookings ?? [], createdAt: Instant(context.now).secondsSinceEpoch)
        let mail = try await candidateMail(.request, data.request, interviewID: interviewID, slot: slot, sequence: 0, calendar: ics, now: context.now)
        let outcome = StepOutcome(dataPatch: ["interviewId": .string(interviewID)])
        return storage.decision(writing: [.insert(interview), .queueMail(mail, at: context.now)], then: outcome)
    }

    // MARK: 5. Announce

    func announce(_ context: StepContext, _ data: SchedulingSagaData) throws -> StepOutcome {
        guard let slot = data.slot?.interval else { throw StepFailure(.permanent, "the saga has no chosen slot") }
        let request = data.request
        let interviewID = InterviewIDs.interview(forRequest: data.requestId)
        let scheduledAt = EventTimestamp.format(slot.start)
        let created = InterviewCreated(
            interviewId: interviewID, candidateId: request.candidateID, jobId: request.jobId ?? "unspecified", scheduledAt: scheduledAt,
            duration: request.durationMinutes, interviewers: request.interviewers.map(\.email), type: (request.interviewType ?? .technical).rawValue,
            format: request.meetingUrl == nil ? "audio" : "video", meetingUrl: request.meetingUrl)
        let confirmed = SchedulingConfirmed(
            interviewId: interviewID, scheduledAt: scheduledAt,
            meetingDetails: .init(
                title: request.displayTitle, location: request.location ?? request.meetingUrl ?? "",
                attendees: [request.candidate.email] + request.interviewers.map(\.email),
                description: [request.description, "Invitation: /api/v1/interviews/\(interviewID)/invite.ics"].compactMap { $0 }.joined(
                    separator: "\n")))
        return StepOutcome(messages: [
            try InterviewMessages.message(
                .interviewCreated, id: "\(context.sagaID):interview.created", key: interviewID, correlation: data.requestId, data: created,
                now: context.now),
            try InterviewMessages.message(
                .schedulingConfirmed, id: "\(context.sagaID):scheduling.confirmed", key: request.candidateID, correlation: data.requestId,
                data: confirmed,
                now: context.now),
        ])
    }

    // MARK: Failure

    /// `error.occurred` with the reason the saga failed, after everything else is undone;
    /// stored with the record that the undo finished.
    func reportFailure(_ context: StepContext, _ data: SchedulingSagaData) throws -> CompensationOutcome {
        let failure = context.lastError ?? StepFailure(.permanent, "unknown")
        log(context, requestID: data.requestId, "scheduling failed and was undone", ["error": "\(failure)"], level: .warning)
        let error = ErrorOccurred(
            errorId: "\(context.sagaID):error", component: "scheduling", severity: "high",
            error: .init(code: "SCHEDULING_\(failure.kind.rawValue.uppercased())", message: failure.message, context: ["requestId": data.requestId]),
            affectedEntities: .init(interviewId: InterviewIDs.interview(forRequest: data.requestId), candidateId: data.request.candidateID))
        return CompensationOutcome(messages: [
            try InterviewMessages.message(
                .errorOccurred, id: "\(context.sagaID):error.occurred", key: data.requestId, correlation: data.requestId, data: error,
                now: context.now)
        ])
    }
}
