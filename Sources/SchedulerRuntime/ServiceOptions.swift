import Foundation

/// Where the service keeps its files and how it is reached; every value has a default
/// that works on a developer's machine.
public struct ServiceOptions: Sendable {
    public var dataDirectory: String
    public var sagasDirectory: String
    public var host: String
    public var port: Int
    /// The accounts file; without one, the local provider in `dataDirectory`.
    public var calendarsFile: String?
    /// The HS256 key of the API's bearer tokens.
    public var jwtSecret: String
    public var organizerEmail: String
    public var organizerName: String
    public var environment: [String: String]

    public static let developmentSecret = "development-only-secret-change-me-0123456789"

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        dataDirectory = environment["SCHEDULER_DATA_DIR"] ?? "data"
        sagasDirectory = environment["SCHEDULER_SAGAS_DIR"] ?? "sagas"
        host = environment["SCHEDULER_HOST"] ?? "127.0.0.1"
        port = environment["SCHEDULER_PORT"].flatMap(Int.init) ?? 8080
        calendarsFile = environment["SCHEDULER_CALENDARS"]
        jwtSecret = environment["SCHEDULER_JWT_SECRET"] ?? Self.developmentSecret
        organizerEmail = environment["SCHEDULER_ORGANIZER_EMAIL"] ?? "interviews@scheduler.example"
        organizerName = environment["SCHEDULER_ORGANIZER_NAME"] ?? "Interview Scheduling"
    }

    func path(_ name: String) -> String {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent(name).path
    }
}
