import ArgumentParser
import InterviewScheduling
import SchedulerHTTP
import SchedulerRuntime

/// `scheduler token`: a bearer token for the API, signed with SCHEDULER_JWT_SECRET or, when
/// that is not set, the key `serve --embedded` keeps in SCHEDULER_DATA_DIR.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a bearer token for the REST API.")

    @Option(help: "The caller: a recruiter's e-mail address, say.")
    var subject = "recruiter@example.com"

    @Option(help: "recruiter or admin.")
    var role = "recruiter"

    @Option(help: "Validity in hours.")
    var hours = 24.0

    func run() async throws {
        guard let role = Caller.Role(rawValue: role) else { throw CommandFailure("--role: expected recruiter or admin, got \"\(role)\"") }
        let secret: String
        do {
            secret = try ServiceOptions.tokenSecret()
        } catch {
            throw CommandFailure("\(error)")
        }
        print(try await BearerAuthenticator(secret: secret).token(for: Caller(subject: subject, role: role), validFor: hours * 3600))
    }
}
