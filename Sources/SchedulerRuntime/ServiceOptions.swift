package import Foundation
import ICalendar
package import InterviewScheduling
import Mail

/// How `scheduler serve` is configured, read from the environment.
///
/// There are two modes. Production, the default, refuses to start without the settings a
/// deployment must choose itself (`SCHEDULER_JWT_SECRET` of at least 32 bytes,
/// `KAFKA_BOOTSTRAP_SERVERS`, `SCHEDULER_ORGANIZER_EMAIL`, `SCHEDULER_SMTP_URL`): a forgotten
/// variable is an error naming it, never a development default. Embedded (`serve --embedded`,
/// what `make run` uses) fills the gaps for one machine: a random signing key kept in the data
/// directory, an in-process development Kafka, a sample organiser, and mail written to files.
package struct ServiceOptions: Sendable {
    package var embedded: Bool
    package var dataDirectory: String
    package var sagasDirectory: String
    package var host: String
    package var port: Int
    /// The accounts file; without one, the local provider in `dataDirectory`.
    package var calendarsFile: String?
    /// The HS256 key of the API's bearer tokens.
    package var jwtSecret: String
    /// Where the key came from: `SCHEDULER_JWT_SECRET`, or the embedded key's file.
    package var jwtSecretSource: String
    package var organizerEmail: String
    package var organizerName: String
    /// The right-hand side of invitation UIDs (`iv-…@domain`).
    package var invitationDomain: String
    /// The consumer group of `scheduling.availability`, as the topic catalog names it.
    package var consumerGroup: String
    /// Interviewers' caps and gap where a request gives none (default: none).
    package var defaultLoad: InterviewerLoad
    /// How many sagas the engine moves at once (`SCHEDULER_SAGA_WORKERS`): a step mostly waits
    /// (for a commit, a calendar), so more workers keep more requests going. Default 96 on
    /// SQLite (measured faster than 32 in every paired run, `benchmarks/RESULTS.md`), 32 on
    /// PostgreSQL, where the workers share the pool's 20 connections.
    package var sagaWorkers: Int
    /// Where the candidate's e-mail goes.
    package var mail: MailSettings
    /// Where candidates reach the service (`SCHEDULER_PUBLIC_URL`); without it the e-mail has
    /// no link to the candidate's page. Embedded: the API's own address.
    package var publicURL: String?
    /// The HMAC key of the candidate's page links: `SCHEDULER_CANDIDATE_LINK_SECRET`, else one
    /// derived from the API's key (a link is never an API token, nor the reverse).
    package var candidateLinkSecret: String
    package var environment: [String: String]
    /// `SCHEDULER_DATABASE_URL`: the PostgreSQL database that several instances share; nil
    /// means SQLite in the data directory, one instance.
    package var databaseURL: URL?
    /// `SCHEDULER_INSTANCE_ID`: this instance's name in the leases of a shared database
    /// (unique among the instances: a second live instance with the same name is refused); by
    /// default the host name, the process id and a random part.
    package var instanceID: String

    /// The shortest signing key accepted: HS256's own key size.
    package static let minimumSecretBytes = 32
    package static let defaultConsumerGroup = "interview-worker-main"
    static let embeddedOrganizerEmail = "interviews@scheduler.example"

    /// Reads and checks the configuration; in embedded mode, creates the data directory's
    /// signing key on first use.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment, embedded: Bool) throws(ServiceConfigurationError) {
        self.environment = environment
        self.embedded = embedded
        let setting = Settings(environment)
        if let url = setting["SCHEDULER_DATABASE_URL"] {
            guard let parsed = URL(string: url), ["postgres", "postgresql"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                // The value is not echoed: it may hold a password.
                throw ServiceConfigurationError(
                    variable: "SCHEDULER_DATABASE_URL",
                    problem: "is not a PostgreSQL URL; expected one such as postgres://scheduler:secret@db.internal:5432/scheduler")
            }
            databaseURL = parsed
        }
        instanceID = setting["SCHEDULER_INSTANCE_ID"] ?? Self.defaultInstanceID()
        dataDirectory = Self.dataDirectory(environment: environment)
        sagasDirectory = Self.sagasDirectory(environment: environment)
        host = setting["SCHEDULER_HOST"] ?? "127.0.0.1"
        port = try setting.port("SCHEDULER_PORT") ?? 8080
        calendarsFile = setting["SCHEDULER_CALENDARS"]
        organizerName = setting["SCHEDULER_ORGANIZER_NAME"] ?? "Interview Scheduling"
        invitationDomain = try setting.domain("SCHEDULER_INVITATION_DOMAIN") ?? Invitation.defaultUIDDomain
        consumerGroup = setting["SCHEDULER_CONSUMER_GROUP"] ?? Self.defaultConsumerGroup
        sagaWorkers = try setting.integer("SCHEDULER_SAGA_WORKERS", in: 1...256) ?? (databaseURL == nil ? 96 : 32)
        defaultLoad = InterviewerLoad(
            maxPerDay: try setting.integer("SCHEDULER_MAX_INTERVIEWS_PER_DAY", in: 1...50),
            maxPerWeek: try setting.integer("SCHEDULER_MAX_INTERVIEWS_PER_WEEK", in: 1...200),
            minimumGapMinutes: try setting.integer("SCHEDULER_MINIMUM_GAP_MINUTES", in: 0...480))
        if embedded {
            organizerEmail = try setting.email("SCHEDULER_ORGANIZER_EMAIL") ?? Self.embeddedOrganizerEmail
            if let secret = try Self.checkedSecret(setting["SCHEDULER_JWT_SECRET"]) {
                jwtSecret = secret
                jwtSecretSource = "SCHEDULER_JWT_SECRET"
            } else {
                jwtSecret = try EmbeddedSigningKey.loadOrCreate(in: dataDirectory)
                jwtSecretSource = EmbeddedSigningKey.path(in: dataDirectory)
            }
        } else {
            guard let secret = try Self.checkedSecret(setting["SCHEDULER_JWT_SECRET"]) else {
                throw .missing(
                    "SCHEDULER_JWT_SECRET", "the key that signs API tokens (at least \(Self.minimumSecretBytes) bytes); or run `serve --embedded`")
            }
            jwtSecret = secret
            jwtSecretSource = "SCHEDULER_JWT_SECRET"
            guard setting["KAFKA_BOOTSTRAP_SERVERS"] != nil else {
                throw .missing(
                    "KAFKA_BOOTSTRAP_SERVERS", "the Kafka brokers (host:port,…); or run `serve --embedded` for an in-process development cluster")
            }
            guard let organizer = try setting.email("SCHEDULER_ORGANIZER_EMAIL") else {
                throw .missing("SCHEDULER_ORGANIZER_EMAIL", "the address invitations come from")
            }
            organizerEmail = organizer
        }
        mail = try MailSettings.read(setting, embedded: embedded, dataDirectory: dataDirectory)
        if let url = setting["SCHEDULER_PUBLIC_URL"] {
            guard RequestText.isWebURL(url), !url.contains("?"), !url.contains("#") else {
                throw .invalid("SCHEDULER_PUBLIC_URL", url, "an http(s) URL such as https://interviews.example.com")
            }
            publicURL = url
        } else {
            publicURL = embedded ? "http://\(host):\(port)" : nil
        }
        if let secret = setting["SCHEDULER_CANDIDATE_LINK_SECRET"] {
            guard secret.utf8.count >= Self.minimumSecretBytes else {
                throw ServiceConfigurationError(
                    variable: "SCHEDULER_CANDIDATE_LINK_SECRET",
                    problem: "is \(secret.utf8.count) bytes; at least \(Self.minimumSecretBytes) are required")
            }
            candidateLinkSecret = secret
        } else {
            candidateLinkSecret = "candidate-page:" + jwtSecret
        }
        // The address invitations come from must go through SMTP as it is (no SMTPUTF8).
        guard (try? MailAddress(organizerEmail)) != nil else {
            throw .invalid("SCHEDULER_ORGANIZER_EMAIL", organizerEmail, "an ASCII e-mail address, as mail's envelope needs")
        }
    }

    /// The key `scheduler token` signs with: `SCHEDULER_JWT_SECRET`, else the key an embedded
    /// service created in the data directory.
    package static func tokenSecret(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServiceConfigurationError) -> String {
        let setting = Settings(environment)
        if let secret = try checkedSecret(setting["SCHEDULER_JWT_SECRET"]) { return secret }
        let directory = dataDirectory(environment: environment)
        guard let key = EmbeddedSigningKey.existing(in: directory) else {
            throw .missing(
                "SCHEDULER_JWT_SECRET",
                "set it to the service's key, or start `serve --embedded` once to create \(EmbeddedSigningKey.path(in: directory))")
        }
        return key
    }

    private static func checkedSecret(_ secret: String?) throws(ServiceConfigurationError) -> String? {
        guard let secret else { return nil }
        guard secret.utf8.count >= minimumSecretBytes else {
            throw ServiceConfigurationError(
                variable: "SCHEDULER_JWT_SECRET", problem: "is \(secret.utf8.count) bytes; at least \(minimumSecretBytes) are required")
        }
        return secret
    }

    /// The saga database's file name in the data directory.
    static let sagaDatabaseName = "sagas.sqlite"

    /// Where `serve` keeps its sagas under this environment: the operator CLI's default.
    package static func sagaDatabasePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        URL(fileURLWithPath: dataDirectory(environment: environment)).appendingPathComponent(sagaDatabaseName).path
    }

    /// The data directory under this environment: `SCHEDULER_DATA_DIR`, else `data`.
    package static func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Settings(environment)["SCHEDULER_DATA_DIR"] ?? "data"
    }

    /// The saga definitions' directory under this environment.
    package static func sagasDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        Settings(environment)["SCHEDULER_SAGAS_DIR"] ?? "sagas"
    }

    func path(_ name: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(name).path
    }

    /// The host's name, this process's id and a random part: in containers the pid is often 1
    /// and the host name shared, so those alone could name two instances alike.
    static func defaultInstanceID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
