import InterviewScheduling

/// The environment's settings, read by name; an empty value counts as not set.
struct Settings {
    let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    subscript(name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func port(_ name: String) throws(ServiceConfigurationError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let port = Int(text), (1...65_535).contains(port) else { throw .invalid(name, text, "a port number (1–65535)") }
        return port
    }

    /// An address that can stand in a calendar's ORGANIZER and a mail header, by the rule
    /// the API applies to the addresses in a request.
    func email(_ name: String) throws(ServiceConfigurationError) -> String? {
        guard let text = self[name] else { return nil }
        guard RequestText.isEmailAddress(text) else { throw .invalid(name, text, "an e-mail address") }
        return text
    }

    /// A whole number in `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ServiceConfigurationError) -> Int? {
        guard let text = self[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalid(name, text, "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A DNS name: letters, digits, hyphens and dots.
    func domain(_ name: String) throws(ServiceConfigurationError) -> String? {
        guard let text = self[name] else { return nil }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        }
        guard allowed, !text.hasPrefix("."), !text.hasSuffix("."), !text.contains("..") else { throw .invalid(name, text, "a domain name") }
        return text
    }
}
