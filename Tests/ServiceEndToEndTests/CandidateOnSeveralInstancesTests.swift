import Foundation
import SchedulerTestScopes
import SchedulerTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The candidate's side with two `serve` processes on one PostgreSQL database: the link in the
/// e-mail works on either instance, the answer given on one is seen on the other, and an
/// erasure asked for on one leaves the candidate in no row of the tables that held them.
@Suite("The candidate's page and erasure on two instances", .serialized, .runsAfterTestWork)
struct CandidateOnSeveralInstancesTests {
    typealias Chaos = SeveralInstancesChaosTests

    /// Every row of the tables that can hold the candidate, bytea columns as escaped text.
    static let everyRow = """
        SELECT coalesce(string_agg(x, ' '), '') FROM (
            SELECT t::text AS x FROM saga_instance t UNION ALL SELECT t::text FROM saga_step_log t
            UNION ALL SELECT t::text || encode(payload, 'escape') FROM outbox t UNION ALL SELECT t::text FROM interview t
            UNION ALL SELECT t::text || encode(content, 'escape') FROM mail_outbox t
            UNION ALL SELECT t::text || encode(body, 'escape') FROM idempotency_key t
            UNION ALL SELECT t::text FROM audit_log t UNION ALL SELECT t::text FROM request_owner t) rows
        """

    @Test(.timeLimit(.minutes(5))) func theLinkWorksOnEitherInstanceAndTheErasureLeavesNoRow() async throws {
        let system = try await ServiceProcesses()
        let server = try await PostgresTestServer.shared()
        let url = try await server.newDatabase()
        // The links point at the first instance, as a load balancer's address would.
        let first = try FreePort.next()
        system.environment["SCHEDULER_PUBLIC_URL"] = "http://127.0.0.1:\(first)"
        let instances = try await Chaos.startInstances(2, on: url, system, firstPort: first)
        let processes = instances.map(\.process)
        afterTest {
            for process in processes { await process.stop() }
            await system.stopAll()
        }
        try Chaos.startResponder(system)
        let requestID = try #require(try await Chaos.burst(1, through: [instances[0].port], system).first)
        var state: [String: Any] = [:]
        let confirmed = try await eventually(90) {
            state = (try? await Chaos.call(system, instances[1].port, "GET", "/api/v1/scheduling-requests/\(requestID)").json) ?? [:]
            return state["state"] as? String == "confirmed"
        }
        try #require(confirmed, "\(state)\n\(system.logDigest())")
        let interviewID = try #require(state["interviewId"] as? String)

        // The invitation, written by whichever instance leads the mail relay, with its link.
        let mailDirectory = URL(fileURLWithPath: system.directory.path("mail"))
        var files: [URL] = []
        _ = try await eventually(60) {
            files = ((try? FileManager.default.contentsOfDirectory(at: mailDirectory, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "eml" }
            return !files.isEmpty
        }
        let invitation = try #require(files.first, "the invitation was written")
        let text = try #require(try await ParsedMail.reading(invitation).text)
        let link = text.split(separator: "\n").first { $0.hasPrefix("Answer: ") }.map { String($0.dropFirst("Answer: ".count)) }
        let path = try #require(link.flatMap { URL(string: $0.trimmingCharacters(in: .whitespacesAndNewlines))?.path }, "the e-mail's link")
        #expect(link?.hasPrefix("http://127.0.0.1:\(first)/candidate/") == true, "\(link ?? "")")
        for instance in instances {
            let page = try await Self.call(instance.port, "GET", path)
            #expect(page.status == 200 && page.text.contains("Candidate 0"), "instance on \(instance.port): \(page.status)")
        }
        // Accepted on the second instance, seen through the first.
        let answered = try await Self.call(instances[1].port, "POST", path, form: "answer=accept&sequence=0")
        #expect(answered.status == 303, "\(answered.status) \(answered.text.prefix(300))")
        let shown = try await Chaos.call(system, instances[0].port, "GET", "/api/v1/interviews/\(interviewID)").json
        #expect(shown["candidateResponse"] as? String == "accepted", "\(shown)")

        let before = try await server.psql(Self.everyRow, database: url.lastPathComponent)
        #expect(before.contains("Candidate 0") && before.contains("c0@candidates.example"))
        let admin = try await system.token(subject: "dpo@example.com", role: "admin")
        let erasure = "/api/v1/candidates/cand-0/erasure"
        #expect(try await Self.call(instances[0].port, "POST", erasure, token: admin, json: "{}").status == 202)
        var erased: [String: Any] = [:]
        let finished = try await eventually(90) {
            erased = (try? await Self.call(instances[1].port, "GET", erasure, token: admin).json) ?? [:]
            return erased["state"] as? String != "running"
        }
        #expect(finished && erased["state"] as? String == "completed", "\(erased)")
        let after = try await server.psql(Self.everyRow, database: url.lastPathComponent)
        #expect(!after.contains("Candidate 0") && !after.contains("c0@candidates.example"), "the candidate is still in a row")
        let pageAfter = try await Self.call(instances[0].port, "GET", path)
        // The link in the e-mail is still signed, and leads nowhere now.
        #expect(pageAfter.status == 404 && !pageAfter.text.contains("Candidate 0"), "\(pageAfter.status) \(pageAfter.text.prefix(300))")
    }

    /// One HTTP call to an instance: a form post, a JSON body with a bearer token, or a plain GET.
    static func call(
        _ port: Int, _ method: String, _ path: String, token: String? = nil, json: String? = nil, form: String? = nil
    ) async throws -> ServiceProcesses.Answer {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let form {
            request.httpBody = Data(form.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil).data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return ServiceProcesses.Answer(status: http.statusCode, headers: [:], body: data)
    }
}

/// Keeps a 303 as the answer, so that a test sees where it points.
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
