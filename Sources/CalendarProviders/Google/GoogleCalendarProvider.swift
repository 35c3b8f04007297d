package import Foundation
package import SchedulingCore

/// Google Calendar API v3, acting for each interviewer through a service account with
/// domain-wide delegation.
///
/// - Create: `events.insert` with an id derived from the idempotency key; a 409 means the
///   event exists already (an earlier attempt whose answer was lost) and it is fetched.
/// - Cancel: `events.delete` with the configured `sendUpdates`, so guests are told; delete
///   tells nobody. 404 and 410 (already deleted) are success.
/// - Busy time: `freeBusy.query`, at most 50 calendars and 60 days a call.
package struct GoogleCalendarProvider: CalendarProvider {
    /// Who Google e-mails about changes (`sendUpdates`).
    package enum GuestUpdates: String, Sendable, CaseIterable {
        case all, externalOnly, none
    }

    package struct Configuration: Sendable {
        /// `https://www.googleapis.com/calendar/v3/`, or a fake's address in tests.
        package var baseURL: URL
        package var guestUpdates: GuestUpdates
        /// The user the free/busy query is made as; by default the first calendar asked about.
        package var freeBusySubject: String?

        package init(
            baseURL: URL = URL(string: "https://www.googleapis.com/calendar/v3/")!, guestUpdates: GuestUpdates = .all, freeBusySubject: String? = nil
        ) {
            self.baseURL = baseURL
            self.guestUpdates = guestUpdates
            self.freeBusySubject = freeBusySubject
        }
    }

    static let freeBusyBatch = 50
    static let freeBusyMaxWindow: Int64 = 60 * 86_400

    package let name = "google"
    let configuration: Configuration
    let client: AuthorizedClient

    package init(configuration: Configuration, http: ResilientHTTPClient, tokens: AccessTokenCache) {
        self.configuration = configuration
        client = AuthorizedClient(http: http, tokens: tokens)
    }

    package func createEvent(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> ProviderEventReference {
        guard let id = GoogleEventID.derive(fromKey: idempotencyKey) else {
            throw ProviderError(
                .rejected, provider: name,
                message: "idempotency key must be \(GoogleEventID.keyLengths.lowerBound) to \(GoogleEventID.keyLengths.upperBound) bytes")
        }
        let reference = ProviderEventReference(provider: name, calendar: calendar, eventID: id)
        let response = try await send(
            "POST", eventsOf: calendar, query: ["sendUpdates": configuration.guestUpdates.rawValue], body: GoogleEvent(event, id: id), as: calendar)
        switch response.status {
        case 200..<300:
            return reference
        case 409:
            let existing = try await send("GET", eventsOf: calendar, eventID: id, as: calendar)
            guard existing.status == 200, let found = try? JSONDecoder().decode(GoogleEvent.self, from: existing.body) else {
                throw ProviderError(unexpected: existing, provider: name, operation: "events.get after 409 on insert")
            }
            guard found.status != "cancelled" else {
                throw ProviderError(.rejected, provider: name, status: 409, message: "events.insert: id \(id) belongs to an event that was cancelled")
            }
            return reference
        default:
            throw ProviderError(unexpected: response, provider: name, operation: "events.insert")
        }
    }

    package var createsOnlineMeetings: Bool { true }

    /// `conferenceData.createRequest` for a Google Meet, with `conferenceDataVersion=1` (without
    /// it Google ignores the request). The request id is the event's id, derived from the key,
    /// so a retry asks for the same conference. Google may answer `pending`: the event is read
    /// again (with backoff, a few seconds at most) until the conference is made.
    package func createEventWithOnlineMeeting(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> OnlineMeetingEvent {
        guard let id = GoogleEventID.derive(fromKey: idempotencyKey) else {
            throw ProviderError(.rejected, provider: name, message: "idempotency key cannot make a Google event id")
        }
        let reference = ProviderEventReference(provider: name, calendar: calendar, eventID: id)
        var body = GoogleEvent(event, id: id)
        body.conferenceData = .init(createRequest: .init(requestId: id, conferenceSolutionKey: .init(type: "hangoutsMeet")))
        let query = ["sendUpdates": configuration.guestUpdates.rawValue, "conferenceDataVersion": "1"]
        let response = try await send("POST", eventsOf: calendar, query: query, body: body, as: calendar)
        var answer: GoogleEvent
        switch response.status {
        case 200..<300:
            guard let created = try? JSONDecoder().decode(GoogleEvent.self, from: response.body) else {
                throw ProviderError(unexpected: response, provider: name, operation: "events.insert with conferenceData")
            }
            answer = created
        case 409:
            answer = try await conferenceEvent(reference)
            guard answer.status != "cancelled" else {
                throw ProviderError(.rejected, provider: name, status: 409, message: "events.insert: id \(id) belongs to an event that was cancelled")
            }
        default:
            throw ProviderError(unexpected: response, provider: name, operation: "events.insert with conferenceData")
        }
        for delay in [0.25, 0.5, 1, 2] where answer.joinLink == nil && answer.conferenceStatus == "pending" {
            try? await Task.sleep(for: .seconds(delay))
            answer = try await conferenceEvent(reference)
        }
        if answer.conferenceStatus == "failure" {
            // The event is there without a meeting: it goes, and the booking fails for good.
            try? await deleteEvent(reference)
            throw ProviderError(.rejected, provider: name, message: "Google could not create the Meet conference for \(calendar)")
        }
        guard let link = answer.joinLink else {
            throw ProviderError(.transient, provider: name, message: "the Meet conference for \(calendar) is still pending")
        }
        return OnlineMeetingEvent(reference: reference, joinURL: link)
    }

    /// `events.get`, which answers with the event's conference data.
    private func conferenceEvent(_ reference: ProviderEventReference) async throws(ProviderError) -> GoogleEvent {
        let response = try await send("GET", eventsOf: reference.calendar, eventID: reference.eventID, as: reference.calendar)
        guard response.status == 200, let event = try? JSONDecoder().decode(GoogleEvent.self, from: response.body) else {
            throw ProviderError(unexpected: response, provider: name, operation: "events.get with conferenceData")
        }
        return event
    }

    package func reference(forIdempotencyKey key: String, in calendar: String) -> ProviderEventReference? {
        GoogleEventID.derive(fromKey: key).map { ProviderEventReference(provider: name, calendar: calendar, eventID: $0) }
    }

    package func updateEvent(_ reference: ProviderEventReference, to event: CalendarEvent) async throws(ProviderError) {
        let response = try await send(
            "PATCH", eventsOf: reference.calendar, eventID: reference.eventID, query: ["sendUpdates": configuration.guestUpdates.rawValue],
            body: GoogleEvent(event, id: nil), as: reference.calendar)
        guard (200..<300).contains(response.status) else { throw ProviderError(unexpected: response, provider: name, operation: "events.patch") }
    }

    /// Google has no cancel with a comment: the event is deleted and guests are told as
    /// configured.
    package func cancelEvent(_ reference: ProviderEventReference, comment: String) async throws(ProviderError) {
        try await delete(reference, guestUpdates: configuration.guestUpdates)
    }

    package func deleteEvent(_ reference: ProviderEventReference) async throws(ProviderError) {
        try await delete(reference, guestUpdates: GuestUpdates.none)
    }

    package func busyTime(of calendars: [String], in window: Interval) async throws(ProviderError) -> [String: IntervalSet] {
        var busy: [String: [Interval]] = Dictionary(uniqueKeysWithValues: Set(calendars).map { ($0, []) })
        let plan = BusyQueryPlan(calendars: calendars, window: window, batchSize: Self.freeBusyBatch, maxWindowSeconds: Self.freeBusyMaxWindow)
        for piece in plan.pieces {
            let request = GoogleFreeBusyRequest(
                timeMin: ISO8601.format(piece.window.start), timeMax: ISO8601.format(piece.window.end), items: piece.calendars.map { .init(id: $0) })
            let subject = configuration.freeBusySubject ?? piece.calendars[0]
            let response = try await send("POST", path: "freeBusy", body: request, as: subject)
            guard response.status == 200, let answer = try? JSONDecoder().decode(GoogleFreeBusyResponse.self, from: response.body) else {
                throw ProviderError(unexpected: response, provider: name, operation: "freeBusy.query")
            }
            for calendar in piece.calendars {
                guard let entry = answer.calendars?[calendar] else {
                    throw ProviderError(.rejected, provider: name, message: "freeBusy.query: no answer for calendar \(calendar)")
                }
                if let failure = entry.errors?.first {
                    throw ProviderError(
                        .rejected, provider: name,
                        message: "freeBusy.query: calendar \(calendar): \(failure.reason ?? "error") (\(failure.domain ?? "calendar"))")
                }
                for period in entry.busy ?? [] {
                    guard let start = ISO8601.instant(period.start), let end = ISO8601.instant(period.end), start < end else {
                        throw ProviderError(
                            .rejected, provider: name,
                            message: "freeBusy.query: calendar \(calendar): unreadable period \(period.start)/\(period.end)")
                    }
                    busy[calendar, default: []].append(Interval(start: start, end: end))
                }
            }
        }
        return busy.mapValues { IntervalSet($0) }
    }

    /// Google answers rate limits with 403 `rateLimitExceeded` or `userRateLimitExceeded`
    /// as well as 429; those are retried with the 5xx.
    package static func isRetriable(_ response: HTTPResponse) -> Bool {
        if ResilientHTTPClient.retriesStatus(response) { return true }
        guard response.status == 403 else { return false }
        let reasons = ["rateLimitExceeded", "userRateLimitExceeded"]
        let body = String(decoding: response.body, as: UTF8.self)
        return reasons.contains { body.contains("\"\($0)\"") }
    }

    private func delete(_ reference: ProviderEventReference, guestUpdates: GuestUpdates) async throws(ProviderError) {
        let response = try await send(
            "DELETE", eventsOf: reference.calendar, eventID: reference.eventID, query: ["sendUpdates": guestUpdates.rawValue], as: reference.calendar)
        switch response.status {
        case 200..<300, 404, 410: return
        default: throw ProviderError(unexpected: response, provider: name, operation: "events.delete")
        }
    }

    private func send(
        _ method: String, eventsOf calendar: String, eventID: String? = nil, query: [String: String] = [:], body: (any Encodable)? = nil,
        as subject: String
    ) async throws(ProviderError) -> HTTPResponse {
        let path = "calendars/\(PercentEncoding.encode(calendar))/events" + (eventID.map { "/\(PercentEncoding.encode($0))" } ?? "")
        return try await send(method, path: path, query: query, body: body, as: subject)
    }

    private func send(
        _ method: String, path: String, query: [String: String] = [:], body: (any Encodable)?, as subject: String
    ) async throws(ProviderError) -> HTTPResponse {
        let request = try HTTPRequest.json(method, base: configuration.baseURL, path: path, query: query, body: body, provider: name)
        return try await client.send(request, actingAs: subject)
    }
}
