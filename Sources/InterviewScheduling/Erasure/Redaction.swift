import Foundation
import SagaCore

/// Removes a candidate from stored values. In JSON, the candidate's own members are
/// replaced whole (`candidate.name`, `candidate.email`) and the request's free text is
/// dropped (`title`, `description`, `location`, `notes`, `comment`); elsewhere (messages,
/// audit details, any other string) their address and name are replaced where they occur,
/// ignoring case. Short names are replaced only whole, not inside other text: a name such as
/// "Ed" must not turn an id or a time zone into something else.
struct Redaction: Sendable {
    static let placeholder = "[erased]"
    static let erasedEmail = "erased@erased.invalid"
    /// Object members whose text is the recruiter's free text about the interview.
    static let freeTextMembers: Set<String> = ["title", "description", "location", "notes", "comment"]
    /// The shortest term replaced inside other text.
    static let shortestTermInText = 5

    let name: String?
    let email: String?

    init(name: String?, email: String?) {
        self.name = name.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        self.email = email.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The terms replaced inside text, longest first (an address may contain the name).
    private var termsInText: [(term: String, replacement: String)] {
        [(email, Self.erasedEmail), (name, Self.placeholder)].compactMap { term, replacement in
            guard let term, term.count >= Self.shortestTermInText else { return nil }
            return (term, replacement)
        }.sorted { $0.term.count > $1.term.count }
    }

    func text(_ text: String) -> String {
        if let email, text.caseInsensitiveCompare(email) == .orderedSame { return Self.erasedEmail }
        if let name, text.caseInsensitiveCompare(name) == .orderedSame { return Self.placeholder }
        var result = text
        for (term, replacement) in termsInText {
            result = result.replacingOccurrences(of: term, with: replacement, options: [.caseInsensitive, .literal])
        }
        return result
    }

    func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(self.text(text))
        case .array(let elements): return .array(elements.map(json))
        case .object(let members):
            var redacted: [String: JSONValue] = [:]
            for (key, member) in members {
                switch (key, member) {
                case ("candidate", .object(var candidate)):
                    if case .string = candidate["name"] { candidate["name"] = .string(Self.placeholder) }
                    if case .string = candidate["email"] { candidate["email"] = .string(Self.erasedEmail) }
                    redacted[key] = json(.object(candidate))
                case (_, .string) where Self.freeTextMembers.contains(key):
                    redacted[key] = .string(Self.placeholder)
                default:
                    redacted[key] = json(member)
                }
            }
            return .object(redacted)
        case .null, .bool, .number: return value
        }
    }

    /// JSON text redacted; text that is not JSON is redacted as text.
    func jsonText(_ data: Data) -> Data {
        guard let value = try? JSONValue(parsing: data), let redacted = try? json(value).jsonText() else {
            return Data(text(String(decoding: data, as: UTF8.self)).utf8)
        }
        return redacted
    }
}
