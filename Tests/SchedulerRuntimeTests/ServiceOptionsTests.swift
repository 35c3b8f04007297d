import Foundation
import SMTP
import SchedulerTesting
import Testing

@testable import SchedulerRuntime

/// Production refuses to start on development defaults; embedded mode fills them in.
@Suite("Service configuration: production and embedded modes")
struct ServiceOptionsTests {
    static let secret = String(repeating: "k", count: 32)
    static let production = [
        "SCHEDULER_JWT_SECRET": secret, "KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092", "SCHEDULER_ORGANIZER_EMAIL": "interviews@acme.example",
        "SCHEDULER_SMTP_URL": "smtp://mail.acme.example:587",
    ]

    func refusal(_ environment: [String: String], embedded: Bool = false) -> ServiceConfigurationError? {
        #expect(throws: ServiceConfigurationError.self) { try ServiceOptions(environment: environment, embedded: embedded) }
    }

    @Test func productionStartsWithEverySettingChosen() throws {
        let options = try ServiceOptions(environment: Self.production, embedded: false)
        #expect(options.jwtSecret == Self.secret)
        #expect(options.organizerEmail == "interviews@acme.example")
        #expect(options.consumerGroup == "interview-worker-main", "the topic catalog's group for scheduling.availability")
        #expect(options.invitationDomain == "interview-scheduler.invalid")
        #expect(options.sagaWorkers == 96, "on SQLite")
        var more = Self.production
        more["SCHEDULER_SAGA_WORKERS"] = "48"
        #expect(try ServiceOptions(environment: more, embedded: false).sagaWorkers == 48)
        more["SCHEDULER_SAGA_WORKERS"] = nil
        more["SCHEDULER_DATABASE_URL"] = "postgres://scheduler@db.internal:5432/scheduler"
        #expect(try ServiceOptions(environment: more, embedded: false).sagaWorkers == 32, "on PostgreSQL the workers share the pool")
    }

    @Test(arguments: ["SCHEDULER_JWT_SECRET", "KAFKA_BOOTSTRAP_SERVERS", "SCHEDULER_ORGANIZER_EMAIL", "SCHEDULER_SMTP_URL"])
    func productionRefusesAMissingSettingByName(variable: String) {
        var environment = Self.production
        environment[variable] = nil
        #expect(refusal(environment)?.variable == variable)
        environment[variable] = ""
        #expect(refusal(environment)?.variable == variable, "an empty value is not a value")
    }

    @Test func aShortSigningKeyIsRefusedInBothModes() {
        var environment = Self.production
        environment["SCHEDULER_JWT_SECRET"] = String(repeating: "k", count: 31)
        #expect(refusal(environment)?.description == "SCHEDULER_JWT_SECRET is 31 bytes; at least 32 are required")
        #expect(refusal(["SCHEDULER_JWT_SECRET": "short", "SCHEDULER_DATA_DIR": "/nonexistent"], embedded: true)?.variable == "SCHEDULER_JWT_SECRET")
    }

    /// `SCHEDULER_DATABASE_URL` selects PostgreSQL; the instance's name is its own or made up
    /// unique; a malformed URL is refused without its value, which may hold a password.
    @Test(arguments: [false, true])
    func aDatabaseURLSelectsPostgreSQLAndAMalformedOneIsRefusedWithoutEchoingIt(embedded: Bool) throws {
        var environment = embedded ? [:] : Self.production
        environment["SCHEDULER_DATA_DIR"] = TestFilesRoot.url.appendingPathComponent("options-\(UUID())").path
        environment["SCHEDULER_DATABASE_URL"] = "postgres://scheduler:s3cret@db.acme.example:5433/scheduler"
        environment["SCHEDULER_INSTANCE_ID"] = "scheduler-a"
        let options = try ServiceOptions(environment: environment, embedded: embedded)
        #expect(options.databaseURL?.host == "db.acme.example" && options.databaseURL?.port == 5433 && options.instanceID == "scheduler-a")

        environment["SCHEDULER_INSTANCE_ID"] = nil
        let named = try ServiceOptions(environment: environment, embedded: embedded).instanceID
        #expect(named.contains("-\(ProcessInfo.processInfo.processIdentifier)-"), "\(named)")
        #expect(try ServiceOptions(environment: environment, embedded: embedded).instanceID != named, "a random part")
        #expect(try ServiceOptions(environment: [:], embedded: true).databaseURL == nil, "unset: SQLite")

        for malformed in ["mysql://scheduler:s3cret@db.acme.example/scheduler", "postgres:///s3cret", "s3cret"] {
            environment["SCHEDULER_DATABASE_URL"] = malformed
            let refusal = refusal(environment, embedded: embedded)
            #expect(refusal?.variable == "SCHEDULER_DATABASE_URL", "\(malformed)")
            #expect(refusal?.description.contains("s3cret") == false, "the value may hold a password: \(refusal?.description ?? "")")
        }
    }

    @Test(arguments: [
        ("SCHEDULER_PORT", "80a"), ("SCHEDULER_PORT", "70000"), ("SCHEDULER_SAGA_WORKERS", "0"), ("SCHEDULER_SAGA_WORKERS", "257"),
        ("SCHEDULER_ORGANIZER_EMAIL", "interviews"),
        ("SCHEDULER_ORGANIZER_EMAIL", "a@b\r\nBcc: x@y"), ("SCHEDULER_INVITATION_DOMAIN", "bad domain"), ("SCHEDULER_INVITATION_DOMAIN", "a..b"),
        ("SCHEDULER_SMTP_URL", "http://mail.acme.example"), ("SCHEDULER_SMTP_URL", "smtp://user:pw@mail.acme.example"),
        ("SCHEDULER_SMTP_URL", "smtp://"), ("SCHEDULER_SMTP_TLS", "maybe"), ("SCHEDULER_SMTP_PASSWORD_FILE", "/nonexistent/password"),
        ("SCHEDULER_SMTP_CA_FILE", "/nonexistent/ca.pem"),
    ])
    func malformedSettingsAreRefusedByName(variable: String, value: String) {
        var environment = Self.production
        environment[variable] = value
        #expect(refusal(environment)?.variable == variable)
    }

    /// `smtp://` requires STARTTLS unless declared local; `smtps://` is TLS from the start;
    /// the password comes from a file, without its final line break, and never shows.
    @Test func mailGoesToTheRelayAsConfigured() throws {
        let directory = try TemporaryDirectory(prefix: "smtp-settings")
        defer { directory.remove() }
        try "s3cret\n".write(toFile: directory.path("password"), atomically: true, encoding: .utf8)
        func smtp(_ extra: [String: String]) throws -> SMTPSettings? {
            guard case .smtp(let settings) = try ServiceOptions(environment: Self.production.merging(extra) { $1 }, embedded: false).mail else {
                return nil
            }
            return settings
        }
        #expect(try smtp([:])?.security == .startTLS)
        #expect(try smtp(["SCHEDULER_SMTP_TLS": "none"])?.security == SMTPSettings.Security.none)
        #expect(try smtp(["SCHEDULER_SMTP_URL": "smtps://mail.acme.example"])?.security == .implicitTLS)
        #expect(refusal(Self.production.merging(["SCHEDULER_SMTP_URL": "smtps://mail.acme.example", "SCHEDULER_SMTP_TLS": "none"]) { $1 }) != nil)
        let login = try smtp(["SCHEDULER_SMTP_USERNAME": "scheduler", "SCHEDULER_SMTP_PASSWORD_FILE": directory.path("password")])
        #expect(login?.username == "scheduler" && login?.password == "s3cret")
        #expect(login.map { "\($0)" }?.contains("s3cret") == false)
        #expect(
            refusal(Self.production.merging(["SCHEDULER_SMTP_PASSWORD_FILE": directory.path("password")]) { $1 })?.variable
                == "SCHEDULER_SMTP_USERNAME")
        var files = Self.production
        files["SCHEDULER_SMTP_URL"] = nil
        files["SCHEDULER_MAIL_DIRECTORY"] = directory.path("outgoing")
        guard case .directory(let path) = try ServiceOptions(environment: files, embedded: false).mail else {
            Issue.record("a mail directory was asked for")
            return
        }
        #expect(path == directory.path("outgoing"))
    }

    @Test func embeddedModeMakesOneSigningKeyPerDataDirectoryAndKeepsIt() throws {
        let directory = try TemporaryDirectory(prefix: "embedded-key")
        defer { directory.remove() }
        let environment = ["SCHEDULER_DATA_DIR": directory.path("data")]
        let first = try ServiceOptions(environment: environment, embedded: true)
        #expect(first.jwtSecret.utf8.count == 64)
        #expect(first.organizerEmail == "interviews@scheduler.example")
        if case .directory(let mail) = first.mail {
            #expect(mail == directory.path("data/mail"), "mail as .eml files in the data directory")
        } else {
            Issue.record("embedded mode writes mail to files")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path("data/jwt-secret"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "only the owner reads the key")
        #expect(try ServiceOptions(environment: environment, embedded: true).jwtSecret == first.jwtSecret, "a restart keeps the key")
        #expect(try ServiceOptions.tokenSecret(environment: environment) == first.jwtSecret, "`scheduler token` signs with it")

        let other = try TemporaryDirectory(prefix: "embedded-key")
        defer { other.remove() }
        #expect(try ServiceOptions(environment: ["SCHEDULER_DATA_DIR": other.path("data")], embedded: true).jwtSecret != first.jwtSecret)
    }

    @Test func processesStartingAtOnceAgreeOnTheEmbeddedKey() async throws {
        let directory = try TemporaryDirectory(prefix: "embedded-key")
        defer { directory.remove() }
        let data = directory.path("data")
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try EmbeddedSigningKey.loadOrCreate(in: data) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == ["jwt-secret"], "no drafts are left behind")
    }

    @Test func aTokenCannotBeMadeWithoutAKey() throws {
        let directory = try TemporaryDirectory(prefix: "embedded-key")
        defer { directory.remove() }
        #expect(throws: ServiceConfigurationError.self) {
            try ServiceOptions.tokenSecret(environment: ["SCHEDULER_DATA_DIR": directory.path("data")])
        }
        #expect(try ServiceOptions.tokenSecret(environment: ["SCHEDULER_JWT_SECRET": Self.secret]) == Self.secret)
    }

    @Test func theOperatorCommandsFindTheServicesDatabase() {
        #expect(ServiceOptions.sagaDatabasePath(environment: [:]) == "data/sagas.sqlite".asAbsolutePath)
        #expect(ServiceOptions.sagaDatabasePath(environment: ["SCHEDULER_DATA_DIR": "/srv/scheduler"]) == "/srv/scheduler/sagas.sqlite")
    }
}

extension String {
    fileprivate var asAbsolutePath: String { URL(fileURLWithPath: self).path }
}
