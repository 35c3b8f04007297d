import Foundation
import Hummingbird
import JWTKit
import Synchronization

/// Google's token endpoint and the Calendar v3 methods the adapter uses, as documented:
/// client-chosen ids with 409 on reuse (deleted ones included), 410 on deleting a deleted
/// event, GET of a deleted event answering `status: cancelled`, freeBusy limits (50
/// calendars, 90 days), and a token endpoint that checks the JWT assertion.
final class FakeGoogleCalendar: FakeAPI {
    struct StoredEvent: Sendable {
        var calendar: String
        var json: JSONObject
        var cancelled: Bool
        var sendUpdates: String?
    }

    let record = FakeAPIRecord()
    let serviceAccountEmail: String
    let publicKey: Insecure.RSA.PublicKey
    /// Set once the server runs: the token endpoint checks the assertion's `aud` against it.
    let tokenURL = Mutex<String>("")
    private let state = Mutex<(events: [String: StoredEvent], tokens: [String: String], busy: [String: [(String, String)]], tokenRequests: Int)>(
        ([:], [:], [:], 0))

    /// Conference requests end in `failure` instead of `success` (Meet unavailable for the account).
    let failConferences = Mutex(false)

    init(serviceAccountEmail: String, publicKey: Insecure.RSA.PublicKey) {
        self.serviceAccountEmail = serviceAccountEmail
        self.publicKey = publicKey
    }

    /// Events that are not cancelled.
    var liveEvents: [StoredEvent] { state.withLock { $0.events.values.filter { !$0.cancelled } } }
    var allEvents: [String: StoredEvent] { state.withLock { $0.events } }
    var tokenRequests: Int { state.withLock { $0.tokenRequests } }

    func addBusy(_ calendar: String, start: String, end: String) {
        state.withLock { $0.busy[calendar, default: []].append((start, end)) }
    }

    func routes(_ router: Router<BasicRequestContext>) {
        router.post("/token") { request, context in try await self.token(request, context: context) }
        let api = router.group("/calendar/v3")
        api.post("/calendars/:calendar/events") { request, context in
            try await self.serve(request, context: context) { try self.insert($0, context: context) }
        }
        api.get("/calendars/:calendar/events/:event") { request, context in
            try await self.serve(request, context: context) { try self.get($0, context: context) }
        }
        api.patch("/calendars/:calendar/events/:event") { request, context in
            try await self.serve(request, context: context) { try self.patch($0, context: context) }
        }
        api.delete("/calendars/:calendar/events/:event") { request, context in
            try await self.serve(request, context: context) { try self.delete($0, context: context) }
        }
        api.post("/freeBusy") { request, context in try await self.serve(request, context: context) { try self.freeBusy($0) } }
    }

    // MARK: Token endpoint

    private func token(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let captured = try await FakeHTTP.capture(request, context: context)
        let form = FakeHTTP.form(captured.body)
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"] else {
            return FakeHTTP.json(.badRequest, ["error": "unsupported_grant_type", "error_description": "Invalid grant_type"])
        }
        let keys = await JWTKeyCollection().add(rsa: publicKey, digestAlgorithm: .sha256)
        let claims: Assertion
        do {
            claims = try await keys.verify(assertion, as: Assertion.self)
        } catch {
            return FakeHTTP.json(.badRequest, ["error": "invalid_grant", "error_description": "Invalid JWT Signature."])
        }
        let now = Int64(Date().timeIntervalSince1970)
        let scopes = Set(claims.scope.split(separator: " ").map(String.init))
        guard claims.iss == serviceAccountEmail, claims.aud == tokenURL.withLock({ $0 }), claims.exp > now, claims.exp - claims.iat <= 3600,
            scopes.contains("https://www.googleapis.com/auth/calendar.events"), let subject = claims.sub
        else {
            return FakeHTTP.json(.badRequest, ["error": "invalid_grant", "error_description": "Invalid JWT: iss, aud, exp, scope or sub"])
        }
        let token = "ya29.fake-" + UUID().uuidString
        state.withLock {
            $0.tokens[token] = subject
            $0.tokenRequests += 1
        }
        return FakeHTTP.json(.ok, ["access_token": token, "expires_in": 3599, "token_type": "Bearer"])
    }

    struct Assertion: JWTPayload {
        var iss: String
        var sub: String?
        var scope: String
        var aud: String
        var iat: Int64
        var exp: Int64
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    // MARK: Calendar API

    func injectedError(status: Int) -> [String: Any] {
        Self.error(status, reason: status == 429 ? "rateLimitExceeded" : "backendError", message: "Injected")
    }

    var unauthorized: Response { FakeHTTP.json(.unauthorized, Self.error(401, reason: "authError", message: "Invalid Credentials")) }

    func accepts(token: String) -> Bool { state.withLock { $0.tokens[token] != nil } }

    func expireTokens() { state.withLock { $0.tokens.removeAll() } }

    private func insert(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let calendar = FakeHTTP.decodedSegment(try context.parameters.require("calendar"))
        guard let parsed = try JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
            return FakeHTTP.json(.badRequest, Self.error(400, reason: "parseError", message: "Parse Error"))
        }
        let id = parsed["id"] as? String ?? UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        guard id.range(of: "^[a-v0-9]{5,1024}$", options: .regularExpression) != nil else {
            return FakeHTTP.json(.badRequest, Self.error(400, reason: "invalid", message: "Invalid resource id value."))
        }
        var event = JSONObject(parsed)
        event["id"] = id
        event["status"] = "confirmed"
        // Conference data is read only with conferenceDataVersion=1, else ignored; a create
        // request starts `pending` and is made by the time the event is read again.
        if request.query["conferenceDataVersion"] == "1", var conference = parsed["conferenceData"] as? [String: Any],
            var create = conference["createRequest"] as? [String: Any]
        {
            create["status"] = ["statusCode": "pending"]
            conference["createRequest"] = create
            event["conferenceData"] = conference
        } else {
            event["conferenceData"] = nil
        }
        let stored = StoredEvent(calendar: calendar, json: event, cancelled: false, sendUpdates: request.query["sendUpdates"])
        let inserted = state.withLock { state -> Bool in
            guard state.events[id] == nil else { return false }
            state.events[id] = stored
            return true
        }
        guard inserted else {
            return FakeHTTP.json(.conflict, Self.error(409, reason: "duplicate", message: "The requested identifier already exists."))
        }
        return FakeHTTP.json(.ok, event.values)
    }

    private func get(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let id = FakeHTTP.decodedSegment(try context.parameters.require("event"))
        guard let event = state.withLock({ $0.events[id] }) else {
            return FakeHTTP.json(.notFound, Self.error(404, reason: "notFound", message: "Not Found"))
        }
        var json = event.json
        json["status"] = event.cancelled ? "cancelled" : "confirmed"
        if var conference = json["conferenceData"] as? [String: Any], var create = conference["createRequest"] as? [String: Any],
            (create["status"] as? [String: Any])?["statusCode"] as? String == "pending"
        {
            let code = Self.meetCode(for: create["requestId"] as? String ?? id)
            if failConferences.withLock({ $0 }) {
                create["status"] = ["statusCode": "failure"]
                conference["createRequest"] = create
                json["conferenceData"] = conference
                state.withLock { $0.events[id]?.json = json }
                return FakeHTTP.json(.ok, json.values)
            }
            create["status"] = ["statusCode": "success"]
            conference["createRequest"] = create
            conference["conferenceId"] = code
            conference["conferenceSolution"] = ["key": ["type": "hangoutsMeet"], "name": "Google Meet"]
            conference["entryPoints"] = [
                ["entryPointType": "video", "uri": "https://meet.google.com/\(code)", "label": "meet.google.com/\(code)"],
                ["entryPointType": "more", "uri": "https://tel.meet/\(code)?pin=1"],
            ]
            json["conferenceData"] = conference
            json["hangoutLink"] = "https://meet.google.com/\(code)"
            state.withLock { $0.events[id]?.json = json }
        }
        return FakeHTTP.json(.ok, json.values)
    }

    private func patch(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let id = FakeHTTP.decodedSegment(try context.parameters.require("event"))
        let changes = (try JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
        let updated = state.withLock { state -> JSONObject? in
            guard var event = state.events[id], !event.cancelled else { return nil }
            event.json.values.merge(changes) { _, new in new }
            state.events[id] = event
            return event.json
        }
        guard let updated else { return FakeHTTP.json(.notFound, Self.error(404, reason: "notFound", message: "Not Found")) }
        return FakeHTTP.json(.ok, updated.values)
    }

    private func delete(_ request: FakeAPIRecord.Request, context: BasicRequestContext) throws -> Response {
        let id = FakeHTTP.decodedSegment(try context.parameters.require("event"))
        let outcome = state.withLock { state -> Int in
            guard var event = state.events[id] else { return 404 }
            guard !event.cancelled else { return 410 }
            event.cancelled = true
            event.sendUpdates = request.query["sendUpdates"]
            state.events[id] = event
            return 204
        }
        switch outcome {
        case 404: return FakeHTTP.json(.notFound, Self.error(404, reason: "notFound", message: "Not Found"))
        case 410: return FakeHTTP.json(.gone, Self.error(410, reason: "deleted", message: "Resource has been deleted"))
        default: return FakeHTTP.empty(.noContent)
        }
    }

    private func freeBusy(_ request: FakeAPIRecord.Request) throws -> Response {
        guard let body = try JSONSerialization.jsonObject(with: request.body) as? [String: Any],
            let timeMin = (body["timeMin"] as? String).flatMap(Self.date), let timeMax = (body["timeMax"] as? String).flatMap(Self.date),
            let items = body["items"] as? [[String: Any]]
        else { return FakeHTTP.json(.badRequest, Self.error(400, reason: "badRequest", message: "Bad Request")) }
        guard timeMin < timeMax else {
            return FakeHTTP.json(.badRequest, Self.error(400, reason: "timeRangeEmpty", message: "The specified time range is empty."))
        }
        guard timeMax.timeIntervalSince(timeMin) <= 90 * 86_400 else {
            return FakeHTTP.json(.badRequest, Self.error(400, reason: "badRequest", message: "The requested time range is too long."))
        }
        guard items.count <= 50 else {
            return FakeHTTP.json(.badRequest, Self.error(400, reason: "tooManyCalendarsRequested", message: "Too many calendars requested."))
        }
        var calendars: [String: Any] = [:]
        let (events, seeded) = state.withLock { ($0.events.values.filter { !$0.cancelled }, $0.busy) }
        for id in items.compactMap({ $0["id"] as? String }) {
            guard id.hasSuffix("@acme.example") else {
                calendars[id] = ["busy": [] as [Any], "errors": [["domain": "global", "reason": "notFound"]]]
                continue
            }
            var busy: [[String: String]] = []
            for event in events where event.calendar == id {
                if let start = (event.json["start"] as? [String: Any])?["dateTime"] as? String,
                    let end = (event.json["end"] as? [String: Any])?["dateTime"] as? String,
                    let s = Self.date(start), let e = Self.date(end), s < timeMax, e > timeMin
                {
                    busy.append(["start": start, "end": end])
                }
            }
            for (start, end) in seeded[id] ?? [] {
                if let s = Self.date(start), let e = Self.date(end), s < timeMax, e > timeMin { busy.append(["start": start, "end": end]) }
            }
            calendars[id] = ["busy": busy]
        }
        return FakeHTTP.json(
            .ok, ["kind": "calendar#freeBusy", "timeMin": body["timeMin"] ?? "", "timeMax": body["timeMax"] ?? "", "calendars": calendars])
    }

    /// A Meet code (`abc-defg-hij`) that the same request id always gets.
    static func meetCode(for requestID: String) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in requestID.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let code = (0..<10).map { index in letters[Int((hash >> UInt64(index * 6)) % 26)] }
        return String(code[0..<3]) + "-" + String(code[3..<7]) + "-" + String(code[7..<10])
    }

    static func error(_ code: Int, reason: String, message: String) -> [String: Any] {
        ["error": ["errors": [["domain": "global", "reason": reason, "message": message]], "code": code, "message": message]]
    }

    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }
}
