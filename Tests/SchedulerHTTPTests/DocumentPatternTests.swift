import Foundation
import SchedulerTesting
import SchedulingCore
import Testing
import Yams

@testable import InterviewScheduling

/// The patterns docs/openapi.yaml states, evaluated as JSON Schema does (the whole string,
/// lengths in code points), agree with the checks the code makes.
@Suite("docs/openapi.yaml and the code agree")
struct DocumentPatternTests {
    static func schemas() throws -> [String: Any] {
        let text = try String(contentsOf: BuiltProducts.repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        return try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
    }

    /// The schema at `path` (`EmailAddress`, `Candidate.id`, `SchedulingRequest.meetingUrl`).
    static func schema(_ path: String) throws -> [String: Any] {
        let parts = path.split(separator: ".").map(String.init)
        var schema = try #require(try schemas()[parts[0]] as? [String: Any], "no schema \(parts[0])")
        for part in parts.dropFirst() {
            schema = try #require((schema["properties"] as? [String: Any])?[part] as? [String: Any], "no property \(path)")
        }
        return schema
    }

    /// Whether the document admits `text`: pattern, minLength and maxLength.
    static func admits(_ schema: [String: Any], _ text: String) throws -> Bool {
        let length = text.unicodeScalars.count
        if let minimum = schema["minLength"] as? Int, length < minimum { return false }
        if let maximum = schema["maxLength"] as? Int, length > maximum { return false }
        guard let pattern = schema["pattern"] as? String else { return true }
        let expression = try NSRegularExpression(pattern: pattern)
        let whole = NSRange(text.startIndex..., in: text)
        return expression.firstMatch(in: text, range: whole)?.range == whole
    }

    static let emails = [
        "ada@candidates.example", "a@b.c", "é@ü.de", "a..b@c.d", "!#$%&'*+-/=?^_`{|}~@x.y", "a@b", "a@.c", "a@b.", "@b.c", "a b@c.d", "a@b@c.d",
        "a\u{85}@b.c", "a\u{A0}@b.c", "a\u{2028}@b.c", "a<@b.c", "a\\@b.c", "a@b.c\n", String(repeating: "a", count: 250) + "@b.c",
        String(repeating: "a", count: 251) + "@b.c",
    ]
    static let names = [
        "Ada", "", "Zoë", "A\tB", "A\u{7F}", "A\u{85}", "A\u{9F}", "A\u{A0}B", "A\u{2028}", "A\u{2029}", "A\n",
        String(repeating: "e\u{301}", count: 100), String(repeating: "e\u{301}", count: 101),
    ]
    static let lines = [
        "", "Panel", "a\tb", "a\u{85}b", "a\u{2028}", "a\rb", "a\u{B}b", "a\u{C}b", "a\u{A0}b", "a\u{0}b", "a\u{1}b", "a\u{1B}b", "a\u{7F}b",
        String(repeating: "x", count: 4000), String(repeating: "x", count: 4001),
    ]
    static let descriptions = [
        "", "one\ntwo", "one\r\ntwo", "a\tb", "a\u{2028}b", "a\u{A0}b", "a\u{0}b", "a\u{8}b", "a\u{B}b", "a\u{C}b", "a\u{E}b", "a\u{1F}b", "a\u{7F}b",
        "a\u{85}b", "a\u{9F}b", String(repeating: "x", count: 4000), String(repeating: "x", count: 4001),
    ]
    static let urls = [
        "https://x", "HTTP://x", "hTtPs://meet.example/ä?q=1#f", "https://", "https:///x", "https://?x", "ftp://x", "https://a b", "https://a\u{A0}b",
        "https://x/`", "https://x/{y}", "javascript:alert(1)", "https://x\n",
    ]

    @Test(arguments: emails)
    func emailAddresses(text: String) throws {
        #expect(try Self.admits(Self.schema("EmailAddress"), text) == RequestText.isEmailAddress(text))
    }

    @Test(arguments: names)
    func personNames(text: String) throws {
        let code = !text.unicodeScalars.isEmpty && text.unicodeScalars.count <= 200 && !text.unicodeScalars.contains(where: RequestText.isControl)
        #expect(try Self.admits(Self.schema("PersonName"), text) == code)
    }

    @Test(arguments: lines)
    func oneLineTexts(text: String) throws {
        let line = RequestText.isOneLine(text, maximum: 4000) && !text.unicodeScalars.contains(where: RequestText.isForbiddenInText)
        #expect(try Self.admits(Self.schema("OneLineText"), text) == line)
        let id = try Self.schema("Candidate.id")
        #expect(try Self.admits(id, text) == (!text.isEmpty && RequestText.isOneLine(text, maximum: 200)))
    }

    @Test(arguments: descriptions)
    func descriptionTexts(text: String) throws {
        let code = text.unicodeScalars.count <= 4000 && !text.unicodeScalars.contains(where: RequestText.isForbiddenInText)
        #expect(try Self.admits(Self.schema("SchedulingRequest.description"), text) == code)
    }

    @Test(arguments: urls)
    func meetingURLs(text: String) throws {
        #expect(try Self.admits(Self.schema("SchedulingRequest.meetingUrl"), text) == RequestText.isWebURL(text))
    }

    @Test(arguments: [
        "2026-03-09T09:00", "2026-03-09t09:00:30.25", "2026-03-09T23:59:59", "2026-03-09T24:00", "2026-13-09T09:00", "2026-03-09T09:00:60",
        "2026-03-09T9:00", "2026-03-09T09:00Z",
    ])
    func wallClockTimestamps(text: String) throws {
        let timestamp = try Self.schema("Timestamp")
        let local = try #require((timestamp["anyOf"] as? [[String: Any]])?.first { $0["pattern"] != nil })
        let code = if case .local? = ISO8601.timestamp(text, form: .rfc3339) { true } else { false }
        #expect(try Self.admits(local, text) == code)
    }
}
