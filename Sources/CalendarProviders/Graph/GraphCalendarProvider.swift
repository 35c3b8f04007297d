package import Foundation
package import SchedulingCore

/// Microsoft Graph v1.0, with an application's client credentials.
///
/// - Create: `POST /users/{id}/events` with a `transactionId` derived from the idempotency
///   key; Graph answers a repeated POST with the event it made the first time.
/// - Cancel: `POST …/events/{id}/cancel` with a comment to the attendees; delete: `DELETE`.
///   404 (already gone) is success for both.
/// - Busy time: `POST /users/{id}/calendar/getSchedule`, at most 20 mailboxes and 42 days
///   a call.
/// - Every request carries `Prefer: outlook.timezone="UTC"`, so times come back in UTC; times
///   are sent in the event's zone under its Windows name where there is one.
package struct GraphCalendarProvider: CalendarProvider {
    package struct Configuration: Sendable {
        /// `https://graph.microsoft.com/v1.0/`, or a fake's address in tests.
        package var baseURL: URL
        /// The mailbox that asks for schedules; by default the first one asked about.
        package var scheduleMailbox: String?

        package init(baseURL: URL = URL(string: "https://graph.microsoft.com/v1.0/")!, scheduleMailbox: String? = nil) {
            self.baseURL = baseURL
            self.scheduleMailbox = scheduleMailbox
        }
    }

    static let scheduleBatch = 20
    static let scheduleMaxWindow: Int64 = 42 * 86_400
    static let busyStatuses: Set<String> = ["busy", "tentative", "oof"]
    static let preferUTC = ["Prefer": #"outlook.timezone="UTC""#]

    package let name = "graph"
    let configuration: Configuration
    let client: AuthorizedClient

    package init(configuration: Configuration, http: ResilientHTTPClient, tokens: AccessTokenCache) {
        self.configuration = configuration
        client = AuthorizedClient(http: http, tokens: tokens)
    }

    package func createEvent(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> ProviderEventReference {
        let response = try await send(
            "POST", path: "users/\(PercentEncoding.encode(calendar))/events", body: GraphEvent(event, transactionID: idempotencyKey))
        guard (200..<300).contains(response.status), let created = try? JSONDecoder().decode(GraphEvent.self, from: response.body),
            let id = created.id
        else {
            throw ProviderError(unexpected: response, provider: name, operation: "create event")
        }
        return ProviderEventReference(provider: name, calendar: calendar, eventID: id)
    }

    package var createsOnlineMeetings: Bool { true }

    /// `isOnlineMeeting` with `teamsForBusiness`: Exchange creates the Teams meeting with the
    /// event. A retry with the same `transactionId` gets the same event, and so the same meeting.
    package func createEventWithOnlineMeeting(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> OnlineMeetingEvent {
        var body = GraphEvent(event, transactionID: idempotencyKey)
        body.isOnlineMeeting = true
        body.onlineMeetingProvider = "teamsForBusiness"
        let response = try await send("POST", path: "users/\(PercentEncoding.encode(calendar))/events", body: body)
        guard (200..<300).contains(response.status), let created = try? JSONDecoder().decode(GraphEvent.self, from: response.body),
            let id = created.id
        else {
            throw ProviderError(unexpected: response, provider: name, operation: "create event with a Teams meeting")
        }
        let reference = ProviderEventReference(provider: name, calendar: calendar, eventID: id)
        guard let link = created.onlineMeeting?.joinUrl, !link.isEmpty else {
            // The mailbox cannot host Teams meetings (e.g. no Teams licence): the event is
            // there without one, so it goes, and the booking fails for good.
            try? await deleteEvent(reference)
            throw ProviderError(.rejected, provider: name, message: "\(calendar) cannot host a Teams meeting: no onlineMeeting.joinUrl in the answer")
        }
        return OnlineMeetingEvent(reference: reference, joinURL: link)
    }

    package func updateEvent(_ reference: ProviderEventReference, to event: CalendarEvent) async throws(ProviderError) {
        let response = try await send("PATCH", path: eventPath(reference), body: GraphEvent(event, transactionID: nil))
        guard (200..<300).contains(response.status) else { throw ProviderError(unexpected: response, provider: name, operation: "update event") }
    }

    package func cancelEvent(_ reference: ProviderEventReference, comment: String) async throws(ProviderError) {
        let response = try await send("POST", path: eventPath(reference) + "/cancel", body: ["Comment": comment])
        guard (200..<300).contains(response.status) || response.status == 404 else {
            throw ProviderError(unexpected: response, provider: name, operation: "cancel event")
        }
    }

    package func deleteEvent(_ reference: ProviderEventReference) async throws(ProviderError) {
        let response = try await send("DELETE", path: eventPath(reference), body: nil)
        guard (200..<300).contains(response.status) || response.status == 404 else {
            throw ProviderError(unexpected: response, provider: name, operation: "delete event")
        }
    }

    package func busyTime(of calendars: [String], in window: Interval) async throws(ProviderError) -> [String: IntervalSet] {
        var busy: [String: [Interval]] = Dictionary(uniqueKeysWithValues: Set(calendars).map { ($0, []) })
        let plan = BusyQueryPlan(calendars: calendars, window: window, batchSize: Self.scheduleBatch, maxWindowSeconds: Self.scheduleMaxWindow)
        for piece in plan.pieces {
            let mailbox = configuration.scheduleMailbox ?? piece.calendars[0]
            let request = GraphScheduleRequest(
                Schedules: piece.calendars, StartTime: GraphDateTime(piece.window.start, zone: "UTC"),
                EndTime: GraphDateTime(piece.window.end, zone: "UTC"), AvailabilityViewInterval: 15)
            let response = try await send("POST", path: "users/\(PercentEncoding.encode(mailbox))/calendar/getSchedule", body: request)
            guard response.status == 200, let answer = try? JSONDecoder().decode(GraphScheduleResponse.self, from: response.body) else {
                throw ProviderError(unexpected: response, provider: name, operation: "getSchedule")
            }
            for information in answer.value {
                let mailbox = information.scheduleId ?? "?"
                let calendar = piece.calendars.first { $0.caseInsensitiveCompare(mailbox) == .orderedSame } ?? mailbox
                if let failure = information.error {
                    throw ProviderError(
                        .rejected, provider: name, message: "getSchedule: \(mailbox): \(failure.message ?? failure.responseCode ?? "error")")
                }
                for item in information.scheduleItems ?? [] where Self.busyStatuses.contains(item.status ?? "busy") {
                    guard let start = item.start.instant(), let end = item.end.instant(), start < end else {
                        throw ProviderError(
                            .rejected, provider: name,
                            message: "getSchedule: \(mailbox): unreadable item \(item.start.dateTime) \(item.start.timeZone)")
                    }
                    busy[calendar, default: []].append(Interval(start: start, end: end))
                }
            }
        }
        return busy.mapValues { IntervalSet($0) }
    }

    private func eventPath(_ reference: ProviderEventReference) -> String {
        "users/\(PercentEncoding.encode(reference.calendar))/events/\(PercentEncoding.encode(reference.eventID))"
    }

    private func send(_ method: String, path: String, body: (any Encodable)?) async throws(ProviderError) -> HTTPResponse {
        let request = try HTTPRequest.json(method, base: configuration.baseURL, path: path, headers: Self.preferUTC, body: body, provider: name)
        return try await client.send(request, actingAs: nil)
    }
}
