import CalendarProviders
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import SchedulerTesting
import Synchronization
import Testing

/// Both fake APIs on one loopback port, adapters wired to them through the real URLSession
/// transport, and, after each test, every request the adapters sent checked against the
/// API descriptions in `../shared/contracts/`.
struct ProviderTestBed {
    static let serviceAccountEmail = "scheduler@interviews-test.iam.gserviceaccount.com"
    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let clientID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    static let clientSecret = "fake~secret"

    let google: FakeGoogleCalendar
    let graph: FakeMicrosoftGraph
    let baseURL: URL
    let privateKeyPEM: String
    let clock: RecordingClock

    /// Fast policies: the tests assert the delays through the recording clock. The request
    /// timeout is generous: in a clean-clone run every suite runs at once on two cores, and a
    /// loopback call then took over 5 s and was re-sent, which request-counting tests saw as
    /// an extra call. Tests of timeouts pass their own.
    static func policy(maxAttempts: Int = 5, requestTimeout: Duration = .seconds(30)) -> ResilientHTTPClient.Policy {
        .init(
            maxAttempts: maxAttempts, initialBackoff: .milliseconds(200), maxBackoff: .seconds(2), requestTimeout: requestTimeout,
            deadline: .seconds(60))
    }

    func http(
        _ provider: String, breaker: CircuitBreaker? = nil, policy: ResilientHTTPClient.Policy = Self.policy(),
        isRetriable: @escaping @Sendable (CalendarProviders.HTTPResponse) -> Bool = ResilientHTTPClient.retriesStatus
    ) -> ResilientHTTPClient {
        ResilientHTTPClient(
            provider: provider, transport: URLSessionTransport(),
            breaker: breaker ?? CircuitBreaker(provider: provider, tenant: "test", clock: clock), policy: policy, clock: clock, random: { 0.5 },
            isRetriable: isRetriable)
    }

    func serviceAccountJSON(privateKeyPEM: String? = nil) -> Data {
        let object: [String: String] = [
            "type": "service_account", "project_id": "interviews-test", "private_key_id": "key-1", "private_key": privateKeyPEM ?? self.privateKeyPEM,
            "client_email": Self.serviceAccountEmail, "client_id": "1234567890", "token_uri": baseURL.appendingPathComponent("token").absoluteString,
            "universe_domain": "googleapis.com",
        ]
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    func googleProvider(
        guestUpdates: GoogleCalendarProvider.GuestUpdates = .all, breaker: CircuitBreaker? = nil, policy: ResilientHTTPClient.Policy = Self.policy(),
        privateKeyPEM: String? = nil
    ) async throws -> GoogleCalendarProvider {
        let http = http("google", breaker: breaker, policy: policy, isRetriable: GoogleCalendarProvider.isRetriable)
        let key = try GoogleServiceAccountKey(json: serviceAccountJSON(privateKeyPEM: privateKeyPEM), setting: "test key")
        let tokens = AccessTokenCache(fetcher: await GoogleServiceAccountTokenFetcher(key: key, http: http, clock: clock), clock: clock)
        return GoogleCalendarProvider(
            configuration: .init(baseURL: baseURL.appendingPathComponent("calendar/v3/"), guestUpdates: guestUpdates), http: http, tokens: tokens)
    }

    func graphProvider(
        secret: String = Self.clientSecret, certificate: GraphClientCredentials.Secret? = nil, breaker: CircuitBreaker? = nil,
        policy: ResilientHTTPClient.Policy = Self.policy()
    ) async -> GraphCalendarProvider {
        let http = http("graph", breaker: breaker, policy: policy)
        let credentials = GraphClientCredentials(
            tenantID: Self.tenant, clientID: Self.clientID, secret: certificate ?? .clientSecret(secret), authorityURL: baseURL)
        let tokens = AccessTokenCache(fetcher: await GraphTokenFetcher(credentials: credentials, http: http, clock: clock), clock: clock)
        return GraphCalendarProvider(configuration: .init(baseURL: baseURL.appendingPathComponent("v1.0/")), http: http, tokens: tokens)
    }

    static func run(_ body: @Sendable (ProviderTestBed) async throws -> Void) async throws {
        let pem = try await TestKeys.rsaPrivateKeyPEM()
        let key = try Insecure.RSA.PrivateKey(pem: pem)
        let google = FakeGoogleCalendar(serviceAccountEmail: serviceAccountEmail, publicKey: key.publicKey)
        let graph = FakeMicrosoftGraph(tenant: tenant, clientID: clientID, clientSecret: clientSecret)
        let router = Router()
        google.routes(router)
        graph.routes(router)
        var logger = Logger(label: "fake-calendar-apis")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let base = try #require(URL(string: "http://127.0.0.1:\(port)/"))
            google.tokenURL.withLock { $0 = base.appendingPathComponent("token").absoluteString }
            graph.tokenURL.withLock { $0 = base.appendingPathComponent("\(tenant)/oauth2/v2.0/token").absoluteString }
            try await body(ProviderTestBed(google: google, graph: graph, baseURL: base, privateKeyPEM: pem, clock: RecordingClock(Date())))
        }
        try await ContractValidator.expectValid(google.record.validatorLines(api: "google") + graph.record.validatorLines(api: "graph"))
    }
}

/// A fresh RSA key from openssl, as a service account's or an application's.
enum TestKeys {
    static func rsaPrivateKeyPEM() async throws -> String {
        let result = try await ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        ).run()
        try #require(result.status == 0, "openssl genpkey: \(result.standardError)")
        return result.standardOutput
    }
}

/// Runs scripts/validate_calendar_requests.py over recorded requests.
enum ContractValidator {
    static func expectValid(_ lines: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let directory = try TemporaryDirectory(prefix: "contract-check")
        defer { directory.remove() }
        let file = directory.path("requests.jsonl")
        try Data(lines.utf8).write(to: URL(fileURLWithPath: file))
        let root = BuiltProducts.repositoryRoot
        let result = try await ChildProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: [
                "python3", root.appendingPathComponent("scripts/validate_calendar_requests.py").path,
                "--contracts", root.appendingPathComponent("../shared/contracts").standardized.path, file,
            ]
        ).run()
        #expect(
            result.status == 0, "requests that break the API descriptions:\n\(result.standardOutput)\(result.standardError)",
            sourceLocation: sourceLocation)
    }
}
