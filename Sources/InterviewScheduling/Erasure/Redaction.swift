import Foundation
import SagaCore

/// Removes a candidate from stored text: every occurrence of their name and e-mail address
/// (ignoring case) becomes a placeholder, and free text the request carried is dropped.
struct Redaction: Sendable {
    static let placeholder = "[erased]"
    static let erasedEmail = "erased@erased.invalid"
    /// Object members whose text is the recruiter's free text about the interview.
    static let freeTextMembers: Set<String> = ["description", "notes", "comment"]

    /// What is looked for, longest first (an address may contain the name).
    let terms: [String]

    init(name: String?, email: String?) {
        terms = [email, name].compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 2 }
            .sorted { $0.count > $1.count }
    }

    var isEmpty: Bool { terms.isEmpty }

    func text(_ text: String) -> String {
        var result = text
        for term in terms {
            result = result.replacingOccurrences(
                of: term, with: term.contains("@") ? Self.erasedEmail : Self.placeholder, options: [.caseInsensitive, .literal])
        }
        return result
    }

    func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(self.text(text))
        case .array(let elements): return .array(elements.map(json))
        case .object(let members):
            return .object(
                Dictionary(
                    uniqueKeysWithValues: members.map { key, member in
                        if Self.freeTextMembers.contains(key), case .string = member { return (key, .string(Self.placeholder)) }
                        return (key, json(member))
                    }))
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
