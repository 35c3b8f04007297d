import Foundation
import Hummingbird
import JWTKit
import Synchronization

/// The Microsoft identity platform's client-credentials endpoint and the Graph calendar
/// operations the adapter uses, as documented: `transactionId` de-duplication (a repeated
/// POST answers 201 with the first event), 404 `ErrorItemNotFound` for a missing or deleted
/// event, cancel answering 202, and getSchedule's limits (20 mailboxes, 62 days).
final class FakeMicrosoftGraph: FakeAPI {
    struct StoredEvent: Sendable {
        var mailbox: String
        var json: JSONObject
        var cancelComment: String?
        var deleted: Bool
    }

    let record = FakeAPIRecord()
    let tenant: String
    let clientID: String
    let clientSecret: String
    /// The assertion's `aud` must be this; set once the server runs.
    let tokenURL = Mutex<String>("")
    /// Mailboxes that reject every write, for the compensation test.
    let readOnlyMailboxes = Mutex<Set<String>>([])
    private let state = Mutex<(events: [String: StoredEvent], tokens: Set<String>, nextID: Int)>(([:], [], 1))

    /// The application's certificate: its public key and SHA-1 thumbprint (base64url).
    let certificate = Mutex<(key: Insecure.RSA.PublicKey, thumbprint: String)?>(nil)

    init(tenant: String, clientID: String, clientSecret: String) {
        self.tenant = tenant
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    var liveEvents: [StoredEvent] { state.withLock { $0.events.values.filter { !$0.deleted && $0.cancelComment == nil } } }
    var allEvents: [StoredEvent] { state.withLock { Array($0.events.values) } }

    func routes(_ router: Router<BasicRequestContext>) {
        router.post("/:tenant/oauth2/v2.0/token") { request, context in try await self.token(request, context: context) }
        let users = router.group("/v1.0/users/:user")
        users.post("/events") { request, context in try await self.serve(request, context: context) { try self.create($0, context: context) } }
        users.patch("/events/:event") { request, context in try await self.serve(request, context: context) { try self.update($0, context: context) }
        }
        users.delete("/events/:event") { request, context in try await self.serve(request, context: context) { try self.delete($0, context: context) }
        }
        users.post("/events/:event/cancel") { request, context in
            try await self.serve(request, context: context) { try self.cancel($0, context: context) }
        }
        users.post("/calendar/getSchedule") { request, context in try await self.serve(request, context: context) { try self.schedule($0) } }
    }

    // MARK: Token endpoint

    private func token(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let captured = try await FakeHTTP.capture(request, context: context)
        let form = FakeHTTP.form(captured.body)
        guard FakeHTTP.decodedSegment(try context.parameters.require("tenant")) == tenant else {
            return FakeHTTP.json(.badRequest, ["error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."])
        }
        let authenticated: Bool
        if let assertion = form["client_assertion"] {
            let verified = await verify(assertion)
            authenticated = form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" && verified
        } else {
            authenticated = form["client_secret"] == clientSecret
        }
        guard form["grant_type"] == "client_credentials", form["scope"] == "https://graph.microsoft.com/.default", form["client_id"] == clientID,
            authenticated
        else {
            return FakeHTTP.json(.unauthorized, ["error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."])
        }
        let token = "eyJ0eXAi.fake-" + UUID().uuidString
        state.withLock { _ = $0.tokens.insert(token) }
        return FakeHTTP.json(.ok, ["token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token])
    }

    /// A client assertion: RS256 by the certificate's key, `x5t` its thumbprint, `aud` this
    /// endpoint, `iss` and `sub` the client, not expired.
    private func verify(_ assertion: String) async -> Bool {
        guard let (key, thumbprint) = certificate.withLock({ $0 }) else { return false }
        let header =
            assertion.split(separator: ".").first.flatMap { Data(base64URL: String($0)) }
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        guard header["alg"] as? String == "RS256", header["x5t"] as? String == thumbprint else { return false }
        let keys = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256)
        guard let claims = try? await keys.verify(assertion, as: ClientAssertion.self) else { return false }
        return claims.aud == tokenURL.withLock({ $0 }) && claims.iss == clientID && claims.sub == clientID
            && claims.exp > Int64(Date().timeIntervalSince1970)
    }

    struct ClientAssertion: JWTPayload {
        var aud: String
        var iss: String
        var sub: String
        var exp: Int64
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    // MARK: Graph

    func injectedError(status: Int) -> [String: Any] {
        Self.error(status == 429 ? "TooManyRequests" : "ServiceUnavailable", "Injected")
    }

    var unauthorized: Response {
        FakeHTTP.json(.unauthorized, Self.error("InvalidAuthenticationToken", "Access token has expired or is not yet valid."))
    }

    func accepts(token: String) -> Bool { state.withLock { $0.tokens.contains(token) } }

    func expireTokens() { state.withLock { $0.tokens.removeAll() } }

    private func create(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let mailbox = FakeHTTP.decodedSegment(try context.parameters.require("user"))
        guard !readOnlyMailboxes.withLock({ $0.contains(mailbox) }) else {
            return FakeHTTP.json(.forbidden, Self.error("ErrorAccessDenied", "Access is denied. Check credentials and try again."))
        }
        guard let parsed = try JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
            return FakeHTTP.json(.badRequest, Self.error("RequestBodyRead", "Unable to read the request body."))
        }
        let incoming = JSONObject(parsed)
        let created = state.withLock { state -> JSONObject in
            if let transaction = incoming["transactionId"] as? String,
                let existing = state.events.values.first(where: {
                    $0.mailbox == mailbox && $0.json["transactionId"] as? String == transaction && !$0.deleted
                })
            {
                return existing.json
            }
            let id = "AAMkAGI\(state.nextID)"
            state.nextID += 1
            var event = incoming
            event["id"] = id
            // Exchange makes the Teams meeting with the event and fills in onlineMeeting.
            if incoming["isOnlineMeeting"] as? Bool == true, incoming["onlineMeetingProvider"] as? String == "teamsForBusiness" {
                event["onlineMeeting"] = ["joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_\(id)%40thread.v2/0"]
            }
            state.events[id] = StoredEvent(mailbox: mailbox, json: event, cancelComment: nil, deleted: false)
            return event
        }
        return FakeHTTP.json(.created, created.values)
    }

    private func update(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let id = FakeHTTP.decodedSegment(try context.parameters.require("event"))
        let changes = (try JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
        let updated = state.withLock { state -> JSONObject? in
            guard var event = state.events[id], !event.deleted, event.cancelComment == nil else { return nil }
            event.json.values.merge(changes) { _, new in new }
            state.events[id] = event
            return event.json
        }
        guard let updated else { return Self.notFound }
        return FakeHTTP.json(.ok, updated.values)
    }

    private func delete(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let id = FakeHTTP.decodedSegment(try context.parameters.require("event"))
        let found = state.withLock { state -> Bool in
            guard var event = state.events[id], !event.deleted else { return false }
            event.deleted = true
            state.events[id] = event
            return true
        }
        return found ? FakeHTTP.empty(.noContent) : Self.notFound
    }

    private func cancel(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let id = FakeHTTP.decodedSegment(try context.parameters.require("event"))
        let comment = ((try JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["Comment"] as? String) ?? ""
        let found = state.withLock { state -> Bool in
            guard var event = state.events[id], !event.deleted, event.cancelComment == nil else { return false }
            event.cancelComment = comment
            state.events[id] = event
            return true
        }
        return found ? FakeHTTP.empty(.accepted) : Self.notFound
    }

    private func schedule(_ request: FakeAPIRecord.Request) throws -> Response {
        guard let body = try JSONSerialization.jsonObject(with: request.body) as? [String: Any],
            let schedules = body["Schedules"] as? [String],
            let start = Self.utc(body["StartTime"]), let end = Self.utc(body["EndTime"])
        else { return FakeHTTP.json(.badRequest, Self.error("ErrorInvalidRequest", "The request is invalid.")) }
        guard schedules.count <= 20 else {
            return FakeHTTP.json(.badRequest, Self.error("ErrorMailboxDataArrayTooBig", "Mailbox array too big; allowed size = 20"))
        }
        guard start < end else { return FakeHTTP.json(.badRequest, Self.error("ErrorInvalidTimeInterval", "The time interval is invalid.")) }
        guard end.timeIntervalSince(start) <= 62 * 86_400 else {
            return FakeHTTP.json(
                .badRequest, Self.error("ErrorTimeIntervalTooBig", "FreeBusyViewOptions.TimeWindow is too long. The allowed limit = 62 days"))
        }
        let events = liveEvents
        let value: [[String: Any]] = schedules.map { mailbox in
            let items: [[String: Any]] = events.filter { $0.mailbox == mailbox }.compactMap { event in
                guard let s = Self.utc(event.json["start"]), let e = Self.utc(event.json["end"]), s < end, e > start else { return nil }
                return [
                    "status": "busy", "isPrivate": false,
                    "start": ["dateTime": Self.graphUTC(s), "timeZone": "UTC"], "end": ["dateTime": Self.graphUTC(e), "timeZone": "UTC"],
                ]
            }
            return ["scheduleId": mailbox, "availabilityView": "", "scheduleItems": items]
        }
        return FakeHTTP.json(.ok, ["value": value])
    }

    static var notFound: Response {
        FakeHTTP.json(.notFound, error("ErrorItemNotFound", "The specified object was not found in the store."))
    }

    static func error(_ code: String, _ message: String) -> [String: Any] {
        ["error": ["code": code, "message": message, "innerError": ["date": "2026-11-23T10:00:00", "request-id": UUID().uuidString]]]
    }

    /// A `dateTimeTimeZone` read as Graph would: Windows or IANA zone names.
    static func utc(_ value: Any?) -> Date? {
        guard let object = value as? [String: Any], let text = object["dateTime"] as? String, let zoneName = object["timeZone"] as? String else {
            return nil
        }
        let iana =
            [
                "UTC": "UTC", "Eastern Standard Time": "America/New_York", "GMT Standard Time": "Europe/London",
                "W. Europe Standard Time": "Europe/Berlin", "Tokyo Standard Time": "Asia/Tokyo",
            ][zoneName] ?? zoneName
        guard let zone = TimeZone(identifier: iana) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: String(text.prefix(19)))
    }

    static func graphUTC(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'.0000000'"
        return formatter.string(from: date)
    }
}
