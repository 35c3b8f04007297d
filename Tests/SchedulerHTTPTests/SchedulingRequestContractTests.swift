import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Scheduling requests: the limits docs/openapi.yaml states")
struct SchedulingRequestContractTests {
    /// POSTs `body` and hands over the answer.
    static func post(_ body: ByteBuffer, _ check: @escaping @Sendable (TestResponse) throws -> Void) async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            try await client.execute(
                uri: "/api/v1/scheduling-requests", method: .post, headers: [.authorization: "Bearer \(fixture.token)"], body: body,
                testCallback: check)
        }
    }

    static func expectRefusal(_ response: TestResponse, field: String, _ reason: String? = nil) {
        #expect(response.status == .badRequest)
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(response.json["field"] as? String == field, "\(response.json)")
        if let reason { #expect((response.json["detail"] as? String)?.contains(reason) == true, "\(response.json)") }
    }

    @Test func aWindowInThePastIsRefusedNamingTheWindow() async throws {
        let body = try APIFixture.request { $0["window"] = ["start": "2020-01-06T09:00:00Z", "end": "2020-01-10T17:00:00Z"] }
        try await Self.post(body) { Self.expectRefusal($0, field: "window", "lies in the past") }
    }

    @Test func aWindowEndingBeforeAnInterviewFromNowCouldEndIsRefused() async throws {
        let formatter = ISO8601DateFormatter()
        let body = try APIFixture.request {
            $0["window"] = [
                "start": formatter.string(from: Date().addingTimeInterval(-86_400)), "end": formatter.string(from: Date().addingTimeInterval(1800)),
            ]
        }
        try await Self.post(body) { Self.expectRefusal($0, field: "window", "too soon for a 60-minute interview") }
    }

    @Test func aWindowThatStartedButLeavesRoomIsAccepted() async throws {
        let formatter = ISO8601DateFormatter()
        let body = try APIFixture.request {
            $0["window"] = [
                "start": formatter.string(from: Date().addingTimeInterval(-86_400)),
                "end": formatter.string(from: Date().addingTimeInterval(3 * 86_400)),
            ]
        }
        try await Self.post(body) { #expect($0.status == .accepted) }
    }

    @Test func anyRFC3339OffsetCaseAndFractionIsAccepted() async throws {
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        let start = day.string(from: Date().addingTimeInterval(2 * 86_400)), end = day.string(from: Date().addingTimeInterval(9 * 86_400))
        let body = try APIFixture.request { $0["window"] = ["start": "\(start)T00:00:00-23:08", "end": "\(end)t12:00:00.123456789z"] }
        try await Self.post(body) { #expect($0.status == .accepted, "\($0.json)") }
    }

    @Test func theInterviewListReadsAnyRFC3339Offset() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let headers: HTTPFields = [.authorization: "Bearer \(fixture.token)"]
            try await client.execute(uri: "/api/v1/interviews?from=2026-03-09T14:00:00-23:08", method: .get, headers: headers) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/interviews?from=2026-03-10T00:00:00Z&to=2026-03-09T00:00:00Z", method: .get, headers: headers) {
                #expect($0.status == .ok, "a range that holds nothing lists nothing")
                #expect(($0.json["interviews"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/api/v1/interviews?to=2026-03-09T14:00", method: .get, headers: headers) {
                #expect($0.json["field"] as? String == "to")
            }
        }
    }

    /// Each change, and the field refused (nil: accepted).
    static let limits: [(String, @Sendable (inout [String: Any]) -> Void, String?)] = [
        ("200-character name", { $0["candidate"] = person("Ada", name: String(repeating: "a", count: 200)) }, nil),
        ("201-character name", { $0["candidate"] = person("Ada", name: String(repeating: "a", count: 201)) }, "candidate.name"),
        ("empty name", { $0["candidate"] = person("Ada", name: "") }, "candidate.name"),
        (
            "101 accented letters are 202 code points", { $0["candidate"] = person("Ada", name: String(repeating: "e\u{301}", count: 101)) },
            "candidate.name"
        ),
        ("a name with a tab", { $0["candidate"] = person("Ada", name: "Ada\tLovelace") }, "candidate.name"),
        ("a name with NEL", { $0["candidate"] = person("Ada", name: "Ada\u{85}Lovelace") }, "candidate.name"),
        ("empty candidate id", { $0["candidate"] = person("") }, "candidate.id"),
        ("a 200-character id", { $0["candidate"] = person(String(repeating: "9", count: 200)) }, nil),
        ("a 201-character id", { $0["candidate"] = person(String(repeating: "9", count: 201)) }, "candidate.id"),
        ("a dotless domain", { $0["candidate"] = person("Ada", email: "ada@localhost") }, "candidate.email"),
        ("an empty label", { $0["candidate"] = person("Ada", email: "ada@example.") }, "candidate.email"),
        ("a 254-character address", { $0["candidate"] = person("Ada", email: String(repeating: "a", count: 242) + "@example.com") }, nil),
        (
            "a 255-character address", { $0["candidate"] = person("Ada", email: String(repeating: "a", count: 243) + "@example.com") },
            "candidate.email"
        ),
        ("an unknown zone", { $0["candidate"] = person("Ada", zone: "Mars/Olympus_Mons") }, "candidate.timeZone"),
        (
            "the candidate as interviewer", { $0["interviewers"] = [["name": "Ada", "email": "ADA@candidates.example", "timeZone": "UTC"]] },
            "interviewers[0].email"
        ),
        (
            "21 interviewers", { $0["interviewers"] = (0..<21).map { ["name": "I", "email": "i\($0)@example.com", "timeZone": "UTC"] } },
            "interviewers"
        ),
        ("1441 minutes", { $0["durationMinutes"] = 1441 }, "durationMinutes"),
        ("an empty window", { $0["window"] = ["start": "2030-03-04T09:00:00Z", "end": "2030-03-04T09:00:00Z"] }, "window.end"),
        ("a 4000-character title", { $0["title"] = String(repeating: "t", count: 4000) }, nil),
        ("a 4001-character title", { $0["title"] = String(repeating: "t", count: 4001) }, "title"),
        ("a title with U+2028", { $0["title"] = "Panel\u{2028}X" }, "title"),
        ("a description over lines", { $0["description"] = "line one\nline two" }, nil),
        ("a title with a tab", { $0["title"] = "Panel\tinterview" }, nil),
        ("a title with U+0001", { $0["title"] = "Panel\u{01}X" }, "title"),
        ("a location with DEL", { $0["location"] = "Room\u{7F}4" }, "location"),
        ("a job id with ESC", { $0["jobId"] = "job\u{1B}[31m" }, "jobId"),
        ("a description with tabs and CRLF", { $0["description"] = "one\ttwo\r\nthree" }, nil),
        ("a description with NUL", { $0["description"] = "cut\u{0}here" }, "description"),
        ("a description with a form feed", { $0["description"] = "page\u{0C}break" }, "description"),
        ("a description with NEL", { $0["description"] = "next\u{85}line" }, "description"),
        ("an upper-case scheme", { $0["meetingUrl"] = "HTTPS://meet.example/ada" }, nil),
        ("no authority", { $0["meetingUrl"] = "https:///ada" }, "meetingUrl"),
        ("a space in a URL", { $0["meetingUrl"] = "https://meet.example/a b" }, "meetingUrl"),
        (
            "nulls for the optional fields",
            { body in
                for field in ["title", "description", "location", "meetingUrl", "jobId", "ranking", "preferredTimes"] { body[field] = NSNull() }
            }, nil
        ),
        (
            "an unknown weekday", { $0["candidate"] = person("Ada", hours: ["someday": [["start": "09:00", "end": "17:00"]]]) },
            "candidate.workingHours.someday"
        ),
        (
            "an empty working range", { $0["candidate"] = person("Ada", hours: ["monday": [["start": "09:00", "end": "09:00:00"]]]) },
            "candidate.workingHours.monday[0]"
        ),
        ("a range to 24:00", { $0["candidate"] = person("Ada", hours: ["monday": [["start": "09:00", "end": "24:00"]]]) }, nil),
    ]

    static func person(
        _ id: String, name: String = "Ada Lovelace", email: String = "ada@candidates.example", zone: String = "Europe/Berlin",
        hours: [String: Any]? = nil
    ) -> [String: Any] {
        var person: [String: Any] = ["id": id, "name": name, "email": email, "timeZone": zone]
        if let hours { person["workingHours"] = hours }
        return person
    }

    @Test(arguments: 0..<limits.count)
    func eachLimitIsTheDocumentsLimit(index: Int) async throws {
        let (label, change, field) = Self.limits[index]
        try await Self.post(try APIFixture.request(change)) { response in
            if let field {
                Self.expectRefusal(response, field: field)
            } else {
                #expect(response.status == .accepted, "\(label): \(response.json)")
            }
        }
    }
}
