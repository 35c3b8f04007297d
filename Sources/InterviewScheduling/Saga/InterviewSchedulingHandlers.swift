import CalendarProviders
import Events
import Foundation
import ICalendar
import Logging
import SagaCore
import SagaEngine
import SagaStore
import SchedulingCore

/// The step handlers of `sagas/interview-scheduling.yaml` and `sagas/interview-cancellation.yaml`.
public struct InterviewSchedulingHandlers: Sendable {
    public struct Organizer: Sendable {
        public var email: String
        public var name: String

        public init(email: String, name: String) {
            self.email = email
            self.name = name
        }
    }

    let calendars: CalendarDirectory
    let interviews: InterviewStore
    let sagas: SagaStore
    let organizer: Organizer
    /// The right-hand side of every invitation's UID.
    let invitationDomain: String
    let logger: Logger

    public init(
        calendars: CalendarDirectory, interviews: InterviewStore, sagas: SagaStore, organizer: Organizer,
        invitationDomain: String = Invitation.defaultUIDDomain, logger: Logger = Logger(label: "interview-saga")
    ) {
        self.logger = logger
        self.calendars = calendars
        self.interviews = interviews
        self.sagas = sagas
        self.organizer = organizer
        self.invitationDomain = invitationDomain
    }

    /// Registers every handler under the names the definitions use.
    public func register(in handlers: inout SagaHandlers) {
        handlers.action("scheduling.request", requiresCompensation: false) { try await self.publishRequest($0) }
        handlers.compensation("scheduling.reportFailure") { try await self.reportFailure($0) }
        handlers.onEvent("scheduling.collectAvailability") { try self.collect($0, $1) }
        handlers.onDeadline("scheduling.settleAvailability") { try self.settle($0) }
        handlers.action("interview.chooseSlot", requiresCompensation: false) { try await self.chooseSlot($0) }
        handlers.action("interview.bookCalendars", requiresCompensation: true) { try await self.book($0) }
        handlers.compensation("interview.releaseCalendars") { try await self.release($0) }
        handlers.action("interview.issueInvitation", requiresCompensation: true) { try await self.issueInvitation($0) }
        handlers.compensation("interview.withdrawInvitation") { try await self.withdrawInvitation($0) }
        handlers.action("interview.announce", requiresCompensation: false) { try await self.announce($0) }
        // The recruiter's cancellation runs the same undo steps as actions of its own saga.
        handlers.action("cancellation.releaseCalendars", requiresCompensation: false) { context in
            try await self.release(context)
            return StepOutcome()
        }
        handlers.action("cancellation.withdrawInvitation", requiresCompensation: false) { context in
            try await self.withdrawInvitation(context)
            return StepOutcome()
        }
        registerRescheduling(in: &handlers)
    }

    // MARK: 1. Ask the calendar service

    func publishRequest(_ context: StepContext) async throws -> StepOutcome {
        let request = try InterviewPlan(data: context.data).request()
        let query = try Self.permanent { try request.slotRequest(busy: [:]).validated(clock: Instant(context.now)) }
        let message = try InterviewMessages.requested(request, requestID: context.sagaID, query: query, now: context.now)
        return StepOutcome(messages: [message], awaitCorrelation: context.sagaID)
    }

    func collect(_ context: StepContext, _ payload: JSONValue) throws -> EventDecision {
        let plan = InterviewPlan(data: context.data)
        var replies = try plan.replies()
        replies.add(try payload.decoded(as: SchedulingAvailability.self))
        let patch: SagaData = [InterviewPlan.repliesKey: try .encoding(replies)]
        let interviewers = try plan.request().interviewers.map(\.email)
        return replies.missing(from: interviewers).isEmpty ? .complete(StepOutcome(dataPatch: patch)) : .keepWaiting(patch)
    }

    func settle(_ context: StepContext) throws -> DeadlineDecision {
        let plan = InterviewPlan(data: context.data)
        let missing = try plan.replies().missing(from: try plan.request().interviewers.map(\.email))
        guard missing.isEmpty else {
            return .fail(StepFailure(.timeout, "no availability from \(missing.joined(separator: ", ")) by the deadline"))
        }
        return .proceed(StepOutcome())
    }

    // MARK: 2. Choose a slot, checked against the calendars now

    func chooseSlot(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let request = try plan.request()
        let reported = try plan.replies().busyByInterviewer(request.interviewers.map(\.email))
        let slot = try await bestSlot(for: request, reported: reported, ignoring: nil, now: context.now)
        log(context, "slot chosen", ["slot": "\(ISO8601.format(slot.start))"])
        return StepOutcome(dataPatch: [InterviewPlan.slotKey: InterviewPlan.slotValue(slot)])
    }

    /// The best slot for `request` over the busy time the calendar service `reported` and
    /// each interviewer's calendar as their account shows it now (so bookings made since the
    /// replies count), less `own`: the interview's own events, when it is being moved.
    func bestSlot(for request: SchedulingRequestBody, reported: [String: [SlotRequest.TimeRange]], ignoring own: Interval?, now: Date) async throws -> Interval {
        var query = try Self.permanent { try request.slotRequest(busy: reported).validated(clock: Instant(now)) }
        let current = try await currentBusyTime(request.interviewers.map(\.email), in: query.window)
        query.participants = query.participants.map { participant in
            guard let intervals = current[participant.id.lowercased()] else { return participant }
            let calendar = own.map { IntervalSet(intervals).subtracting(IntervalSet([$0])) } ?? IntervalSet(intervals)
            return Participant(
                id: participant.id, role: participant.role, timeZone: participant.timeZone, workingHours: participant.workingHours,
                busy: participant.busy.union(calendar))
        }
        query.limit = 1
        let result = SlotFinder(query: query).search()
        guard let slot = result.slots.first else {
            throw StepFailure(.permanent, "no slot fits everyone: \(result.explanation.map(\.summary) ?? "no candidates")")
        }
        return slot.interval
    }

    /// Each interviewer's busy time in `window` as their calendar account shows it now, by
    /// lower-cased e-mail.
    func currentBusyTime(_ interviewers: [String], in window: Interval) async throws -> [String: [Interval]] {
        var result: [String: [Interval]] = [:]
        for interviewer in interviewers {
            guard let account = calendars.account(for: interviewer) else { continue }
            let busy = try await Self.providerCall { try await account.provider.busyTime(of: [interviewer], in: window) }
            result[interviewer.lowercased()] = busy[interviewer]?.intervals ?? []
        }
        return result
    }

    // MARK: 3. Book every interviewer's calendar

    /// The idempotency key of one interviewer's event: the same in every attempt and after a
    /// crash, so a retry finds the event the earlier attempt made.
    static func bookingKey(sagaID: String, interviewer: String) -> String {
        "\(sagaID):book:\(interviewer.lowercased())"
    }

    func book(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let request = try plan.request()
        let slot = try plan.slot()
        var bookings: [ProviderEventReference] = []
        for interviewer in request.interviewers {
            guard let account = calendars.account(for: interviewer.email) else {
                await undo(bookings)
                throw StepFailure(.permanent, "no calendar account serves \(interviewer.email)")
            }
            let event = calendarEvent(request, slot: slot, zone: interviewer.timeZone)
            do {
                let key = Self.bookingKey(sagaID: context.sagaID, interviewer: interviewer.email)
                bookings.append(try await account.provider.createEvent(event, in: interviewer.email, idempotencyKey: key))
            } catch {
                // A permanent refusal ends the booking: undo this attempt's events now. After
                // a temporary one, the retry finds them again by key.
                let failure = Self.stepFailure(error)
                if failure.kind == .permanent { await undo(bookings) }
                throw failure
            }
        }
        log(context, "calendars booked", ["events": "\(bookings.count)"])
        return StepOutcome(dataPatch: [InterviewPlan.bookingsKey: try .encoding(bookings)])
    }

    /// Cancels every booked event. When the booking step itself failed after temporary errors
    /// and stored no references, the events its attempts left are found again by their keys
    /// where the provider derives event ids from keys (Google, local); Graph's are not.
    func release(_ context: StepContext) async throws {
        let plan = InterviewPlan(data: context.data)
        var references = try plan.bookings()
        if context.data[InterviewPlan.bookingsKey] == nil {
            let sagaID = context.data["requestId"]?.stringValue ?? context.sagaID
            for interviewer in try plan.request().interviewers {
                let key = Self.bookingKey(sagaID: sagaID, interviewer: interviewer.email)
                if let reference = calendars.account(for: interviewer.email)?.provider.reference(forIdempotencyKey: key, in: interviewer.email) {
                    references.append(reference)
                }
            }
        }
        for reference in references {
            guard let provider = calendars.provider(named: reference.provider, calendar: reference.calendar) else {
                throw StepFailure(.permanent, "no \(reference.provider) account for \(reference.calendar) to cancel \(reference.eventID)")
            }
            try await Self.providerCall { try await provider.cancelEvent(reference, comment: "This interview has been cancelled.") }
        }
    }

    /// Best effort: cancels what this attempt booked before it failed for good.
    private func undo(_ bookings: [ProviderEventReference]) async {
        for reference in bookings {
            try? await calendars.provider(named: reference.provider, calendar: reference.calendar)?.cancelEvent(reference, comment: "The interview could not be booked.")
        }
    }

    /// The event on one interviewer's own calendar. It lists no attendees, so the providers
    /// send no invitations of their own: the candidate gets the service's .ics, and each
    /// interviewer has the event on their calendar. The panel is named in the description.
    func calendarEvent(_ request: SchedulingRequestBody, slot: Interval, zone: String) -> CalendarEvent {
        let panel = "Candidate: \(request.candidate.name) <\(request.candidate.email)>\nPanel: " + request.interviewers.map(\.name).joined(separator: ", ")
        return CalendarEvent(
            title: title(request), description: [request.description, panel].compactMap { $0 }.joined(separator: "\n\n"), start: slot.start, end: slot.end,
            timeZone: zone, attendees: [], location: request.location ?? "", meetingURL: request.meetingUrl)
    }

    func title(_ request: SchedulingRequestBody) -> String {
        request.title.flatMap { $0.isEmpty ? nil : $0 } ?? "Interview: \(request.candidate.name)"
    }

    // MARK: 4. The candidate's invitation

    static func interviewID(forRequest requestID: String) -> String { "iv-\(requestID)" }

    func invitationRequest(_ request: SchedulingRequestBody, interviewID: String, slot: Interval, sequence: Int, now: Date) -> InvitationRequest {
        InvitationRequest(
            interviewId: interviewID, domain: invitationDomain, sequence: sequence, stamp: ISO8601.format(Instant(now)), start: ISO8601.format(slot.start), end: ISO8601.format(slot.end),
            timeZone: request.candidate.timeZone, organizer: .init(email: organizer.email, name: organizer.name),
            attendees: [.init(email: request.candidate.email, name: request.candidate.name, role: "required")]
                + request.interviewers.map { .init(email: $0.email, name: $0.name, role: "required") },
            title: title(request), description: request.description, location: request.location, meetingUrl: request.meetingUrl)
    }

    func issueInvitation(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let request = try plan.request()
        let slot = try plan.slot()
        let interviewID = Self.interviewID(forRequest: context.sagaID)
        let ics = try Self.permanent {
            try invitationRequest(request, interviewID: interviewID, slot: slot, sequence: 0, now: context.now).invitation(method: .request, now: Instant(context.now)).render()
        }
        try await interviews.insertInterview(InterviewStore.Interview(
            id: interviewID, requestID: context.sagaID, candidateID: request.candidate.id ?? "", owner: plan.owner,
            start: slot.start.secondsSinceEpoch, end: slot.end.secondsSinceEpoch, status: "confirmed", sequence: 0, inviteRequest: ics, inviteCancel: nil,
            bookings: String(decoding: try JSONEncoder().encode(try plan.bookings()), as: UTF8.self), createdAt: Instant(context.now).secondsSinceEpoch))
        return StepOutcome(dataPatch: [InterviewPlan.interviewKey: .string(interviewID)])
    }

    /// The data an `interview-cancellation` saga starts with: the booking saga's, with who
    /// cancelled and why.
    public static func cancellationData(of booking: SagaData, requestID: String, reason: String, by actor: String) -> SagaData {
        booking.merging(["cancelReason": .string(reason), "cancelledBy": .string(actor), "requestId": .string(requestID)]) { _, new in new }
    }

    /// A METHOD:CANCEL for the candidate, stored with the interview, and `interview.cancelled`.
    /// The message goes to the outbox first (its id is fixed, so a repeat writes it once), then
    /// the interview is marked: a crash between the two repeats both safely.
    func withdrawInvitation(_ context: StepContext) async throws {
        let requestID = context.data["requestId"]?.stringValue ?? context.sagaID
        let interviewID = Self.interviewID(forRequest: requestID)
        guard let interview = try await interviews.interview(id: interviewID) else { return }
        let reason = InterviewCancelled.Reason(rawValue: context.data["cancelReason"]?.stringValue ?? "") ?? .interviewerUnavailable
        let cancelled = InterviewCancelled(
            interviewId: interviewID, cancelledBy: context.data["cancelledBy"]?.stringValue ?? "system", reason: reason,
            cancellationTime: EventTimestamp.format(context.now))
        try await sagas.enqueue(
            try InterviewMessages.message(.interviewCancelled, id: "\(context.sagaID):interview.cancelled", key: interviewID, correlation: requestID, data: cancelled, now: context.now),
            sagaID: context.sagaID, at: context.now)
        guard interview.status != "cancelled" else { return }
        let request = try InterviewPlan(data: context.data).request()
        let slot = Interval(start: Instant(secondsSinceEpoch: interview.start), end: Instant(secondsSinceEpoch: interview.end))
        let cancel = try Self.permanent {
            try invitationRequest(request, interviewID: interviewID, slot: slot, sequence: interview.sequence + 1, now: context.now).invitation(method: .cancel, now: Instant(context.now)).render()
        }
        try await interviews.cancelInterview(id: interviewID, cancelInvite: cancel)
    }

    // MARK: 5. Announce

    func announce(_ context: StepContext) async throws -> StepOutcome {
        let plan = InterviewPlan(data: context.data)
        let request = try plan.request()
        let slot = try plan.slot()
        let interviewID = Self.interviewID(forRequest: context.sagaID)
        let scheduledAt = EventTimestamp.format(slot.start)
        let created = InterviewCreated(
            interviewId: interviewID, candidateId: request.candidate.id ?? "", jobId: request.jobId ?? "unspecified", scheduledAt: scheduledAt,
            duration: request.durationMinutes, interviewers: request.interviewers.map(\.email), type: "technical",
            format: request.meetingUrl == nil ? "audio" : "video", meetingUrl: request.meetingUrl)
        let confirmed = SchedulingConfirmed(
            interviewId: interviewID, scheduledAt: scheduledAt,
            meetingDetails: .init(
                title: title(request), location: request.location ?? request.meetingUrl ?? "",
                attendees: [request.candidate.email] + request.interviewers.map(\.email),
                description: [request.description, "Invitation: /api/v1/interviews/\(interviewID)/invite.ics"].compactMap { $0 }.joined(separator: "\n")))
        return StepOutcome(messages: [
            try InterviewMessages.message(.interviewCreated, id: "\(context.sagaID):interview.created", key: interviewID, correlation: context.sagaID, data: created, now: context.now),
            try InterviewMessages.message(.schedulingConfirmed, id: "\(context.sagaID):scheduling.confirmed", key: request.candidate.id ?? context.sagaID, correlation: context.sagaID, data: confirmed, now: context.now),
        ])
    }

    // MARK: Failure

    /// `error.occurred` with the reason the saga failed, after everything else is undone.
    func reportFailure(_ context: StepContext) async throws {
        let instance = try await sagas.instance(id: context.sagaID)
        let failure = instance?.lastError ?? StepFailure(.permanent, "unknown")
        log(context, "scheduling failed and was undone", ["error": "\(failure)"], level: .warning)
        let request = try? InterviewPlan(data: context.data).request()
        let error = ErrorOccurred(
            errorId: "\(context.sagaID):error", component: "interview-scheduling-saga", severity: "high",
            error: .init(code: "SCHEDULING_\(failure.kind.rawValue.uppercased())", message: failure.message, context: ["requestId": context.sagaID]),
            affectedEntities: .init(interviewId: Self.interviewID(forRequest: context.sagaID), candidateId: request?.candidate.id))
        try await sagas.enqueue(
            try InterviewMessages.message(.errorOccurred, id: "\(context.sagaID):error.occurred", key: context.sagaID, correlation: context.sagaID, data: error, now: context.now),
            sagaID: context.sagaID, at: context.now)
    }

    /// A log line that names the saga and the request it serves.
    func log(_ context: StepContext, _ message: Logger.Message, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) {
        let correlation = context.data["requestId"]?.stringValue ?? context.sagaID
        logger.log(level: level, message, metadata: metadata.merging(["sagaId": "\(context.sagaID)", "correlationId": "\(correlation)", "step": "\(context.step)"]) { new, _ in new })
    }

    // MARK: Provider errors as step failures

    static func stepFailure(_ error: any Error) -> StepFailure {
        guard let error = error as? ProviderError else { return StepFailure(.transient, "\(error)") }
        switch error.kind {
        case .rejected, .authentication: return StepFailure(.permanent, error.description)
        case .unavailable: return StepFailure(.unavailable, error.description)
        case .timeout: return StepFailure(.timeout, error.description)
        case .transient, .rateLimited: return StepFailure(.transient, error.description)
        }
    }

    /// Input that cannot be used will not become usable on a retry.
    static func permanent<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let failure as StepFailure {
            throw failure
        } catch {
            throw StepFailure(.permanent, "\(error)")
        }
    }

    static func providerCall<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch {
            throw stepFailure(error)
        }
    }
}
