import CalendarProviders
import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import InterviewScheduling
import Logging
import Mail
import NIOFoundationEssentialsCompat
import SagaCore
import SagaEngine
import SagaStore
import SchedulerHTTP
import SchedulerTesting
import Testing

/// The API's router over real SQLite files and the repository's saga definitions; nothing
/// runs the sagas or sends the mail, so a request stays as the API left it until a test
/// says `engine.runDueWork()` or `mail.deliverDue()`.
struct APIFixture {
    let directory: TemporaryDirectory
    let application: Application<RouterResponder<BasicRequestContext>>
    let token: String

    let store: SagaStore
    let engine: SagaEngine<SagaStore>
    /// Sends the candidate's mail as `.eml` files into `mail/` in the directory.
    let mail: MailRelay
    let authenticator: BearerAuthenticator
    /// Signs and checks the candidate page's links (`http://candidates.example/candidate/<token>`).
    let links: CandidateLinkSigner

    init() async throws {
        directory = try TemporaryDirectory(prefix: "scheduler-http")
        store = try ServiceDatabase.open(path: directory.path("sagas.sqlite"))
        let local = try LocalCalendarProvider(path: directory.path("calendars.sqlite"))
        let calendars = CalendarDirectory(accounts: [.init(name: "local", provider: local, domains: ["*"], probeCalendar: nil, check: { "ok" })])
        links = await CandidateLinkSigner(secret: String(repeating: "c", count: 32), baseURL: "http://candidates.example")
        let mailFiles = MailDirectoryTransport(directory: directory.url.appendingPathComponent("mail"))
        var handlers = SQLiteSagaHandlers()
        InterviewSchedulingHandlers(
            calendars: calendars, store: store, organizer: .init(email: "interviews@scheduler.example", name: "Interviews"), pageLinks: links,
            mailTransport: mailFiles
        ).register(in: &handlers)
        let catalog = try SagaCatalog.load(directory: BuiltProducts.repositoryRoot.appendingPathComponent("sagas"), handlers: handlers.inventory)
        authenticator = await BearerAuthenticator(secret: String(repeating: "k", count: 32))
        token = try await authenticator.token(for: Caller(subject: "recruiter@example.com", role: .recruiter), validFor: 600)
        engine = SagaEngine(store: store, catalog: catalog, handlers: handlers)
        mail = MailRelay(store: store, transport: mailFiles, logger: Logger(label: "mail"))
        let services = APIServices(
            application: SchedulingApplication(engine: engine), authenticator: authenticator, kafkaReady: { true }, metricsText: { "" },
            candidateLinks: links)
        application = Application(router: SchedulerAPI.router(services))
    }

    /// A token for another caller.
    func token(for subject: String, role: Caller.Role = .recruiter) async throws -> String {
        try await authenticator.token(for: Caller(subject: subject, role: role), validFor: 600)
    }

    /// Runs `body` against the router in memory, then removes the files.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { directory.remove() }
        try await application.test(.router, body)
    }

    /// Sends one request with the fixture's token (or `token`) and a JSON body.
    func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer? = nil, token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        headers[.authorization] = "Bearer \(token ?? self.token)"
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body)
    }

    /// Answers the request's availability question for the whole panel (nobody busy) and
    /// runs the saga until nothing more is due: it books the local calendars and completes.
    func confirm(_ requestID: String) async throws {
        try await engine.runDueWork()
        let reply = SchedulingAvailability(requestId: requestID, interviewerId: nil, availability: [], conflicts: [])
        _ = try await engine.deliver(
            InboundEvent(
                messageID: "reply-\(requestID)", topic: Topic.schedulingAvailability.rawValue, type: SchedulingAvailability.eventType,
                correlation: requestID, payload: try .encoding(reply)))
        try await engine.runDueWork()
    }

    /// A request made through the API and run until its interview is confirmed.
    func confirmedInterview(_ client: some TestClientProtocol) async throws -> (requestID: String, interviewID: String) {
        let accepted = try await send(client, .post, "/api/v1/scheduling-requests", body: try Self.request())
        let requestID = try #require(accepted.json["requestId"] as? String, "\(accepted.status) \(accepted.json)")
        try await confirm(requestID)
        return (requestID, InterviewIDs.interview(forRequest: requestID))
    }

    /// A valid request for a panel over the coming week, with `change` applied to its JSON.
    static func request(_ change: (inout [String: Any]) -> Void = { _ in }) throws -> ByteBuffer {
        let from = Date().addingTimeInterval(86_400), to = Date().addingTimeInterval(8 * 86_400)
        var object: [String: Any] = [
            "candidate": ["id": "cand-ada", "name": "Ada Lovelace", "email": "ada@candidates.example", "timeZone": "Europe/Berlin"],
            "interviewers": [["name": "Grace Hopper", "email": "grace@example.com", "timeZone": "America/New_York"]],
            "durationMinutes": 60,
            "window": ["start": ISO8601DateFormatter().string(from: from), "end": ISO8601DateFormatter().string(from: to)],
        ]
        change(&object)
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}
