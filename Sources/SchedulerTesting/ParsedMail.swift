package import Foundation

/// What `scripts/tests/read_mail.py` (Python's `email` and `icalendar`) reads in a message.
package struct ParsedMail: Decodable, Sendable {
    package struct Node: Decodable, Equatable, Sendable {
        package var type: String
        package var method: String?
        package var parts: [Node]?

        package init(type: String, method: String? = nil, parts: [Node]? = nil) {
            self.type = type
            self.method = method
            self.parts = parts
        }
    }

    package struct Calendar: Decodable, Sendable {
        package var method: String
        package var partMethod: String?
        package var uid: String
        package var sequence: Int
        package var status: String
        package var start: String
        package var end: String
        package var organizer: String
        package var attendees: [String]
        package var url: String
        package var location: String
    }

    package var tree: Node
    package var headers: [String: String]
    package var defects: [String]
    package var text: String?
    package var html: String?
    package var calendar: Calendar?

    /// Parses the message in `file` with Python.
    package static func reading(_ file: URL) async throws -> ParsedMail {
        let result = try await ChildProcess(
            executable: ChildProcess.onPath("python3"),
            arguments: [BuiltProducts.repositoryRoot.appendingPathComponent("scripts/tests/read_mail.py").path, file.path]
        ).run()
        guard result.status == 0 else { throw TestServerError("read_mail.py failed: \(result.standardError)") }
        return try JSONDecoder().decode(ParsedMail.self, from: Data(result.standardOutput.utf8))
    }

    /// Parses `content` with Python.
    package static func reading(_ content: Data) async throws -> ParsedMail {
        let directory = try TemporaryDirectory(prefix: "mail")
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("message.eml")
        try content.write(to: file)
        return try await reading(file)
    }
}
