/// A calendar file or object that cannot be used, with the line when one is to blame.
package struct ICalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    package var line: Int?
    package var message: String

    package init(line: Int? = nil, _ message: String) {
        self.line = line
        self.message = message
    }

    package var description: String { line.map { "line \($0): \(message)" } ?? message }
}
