/// Checks the shape of iCalendar text before libical sees it, with line numbers (libical
/// reports none): balanced BEGIN/END, nesting no deeper than RFC 5545 allows, and content
/// lines of the form `NAME[;params]:value`.
enum ICalendarStructure {
    /// Refused above this size.
    static let maximumBytes = 20 * 1024 * 1024
    /// VCALENDAR › VEVENT › VALARM, or VCALENDAR › VTIMEZONE › STANDARD.
    static let maximumDepth = 3

    /// Returns the text unfolded into one logical line per property (CRLF-terminated), with
    /// NUL bytes (which make libical stop silently), a byte-order mark and blank lines
    /// removed; or throws the first structural problem.
    static func check(_ bytes: [UInt8]) throws(ICalendarError) -> String {
        guard bytes.count <= maximumBytes else {
            throw ICalendarError("the file has \(bytes.count) bytes; at most \(maximumBytes) (20 MB) are accepted")
        }
        var content = bytes.filter { $0 != 0 }
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content.removeFirst(3) }  // a UTF-8 byte-order mark
        let text = String(decoding: content, as: UTF8.self)
        var open: [(name: String, line: Int)] = []
        var sawComponent = false
        // Folding may split a property anywhere, even right after its name: check logical
        // (unfolded) lines, numbered by where they start.
        var logical: (text: String, line: Int)?
        var unfolded = ""
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            lineNumber += 1
            if rawLine.isEmpty { continue }  // blank lines are tolerated, even inside a fold
            if rawLine.first == " " || rawLine.first == "\t" {
                guard logical != nil else { throw ICalendarError(line: lineNumber, "a continuation line before any content") }
                logical?.text += rawLine.dropFirst()
                continue
            }
            if let complete = logical {
                try check(complete.text, line: complete.line, open: &open, sawComponent: &sawComponent)
                unfolded += complete.text + "\r\n"
            }
            logical = (String(rawLine), lineNumber)
        }
        if let complete = logical {
            try check(complete.text, line: complete.line, open: &open, sawComponent: &sawComponent)
            unfolded += complete.text + "\r\n"
        }
        if let unclosed = open.last { throw ICalendarError(line: unclosed.line, "BEGIN:\(unclosed.name) is never closed") }
        guard sawComponent else { throw ICalendarError("no BEGIN:VCALENDAR found: this is not iCalendar data") }
        return unfolded
    }

    private static func check(
        _ rawLine: String, line lineNumber: Int, open: inout [(name: String, line: Int)], sawComponent: inout Bool
    ) throws(ICalendarError) {
        let line = rawLine.trimmingTrailingSpaces()
        if line.isEmpty { return }
        let upper = line.uppercased()
        if upper.hasPrefix("BEGIN:") {
            let name = String(upper.dropFirst(6))
            open.append((name, lineNumber))
            sawComponent = true
            guard open.count <= maximumDepth else {
                throw ICalendarError(line: lineNumber, "BEGIN:\(name) nests \(open.count) levels deep; RFC 5545 allows \(maximumDepth)")
            }
        } else if upper.hasPrefix("END:") {
            let name = String(upper.dropFirst(4))
            guard let last = open.popLast() else { throw ICalendarError(line: lineNumber, "END:\(name) without a matching BEGIN") }
            guard last.name == name else {
                throw ICalendarError(line: lineNumber, "END:\(name) closes BEGIN:\(last.name) from line \(last.line)")
            }
        } else if !open.isEmpty, !line.contains(":") {
            throw ICalendarError(line: lineNumber, "not a content line (NAME:value): \"\(line.prefix(60))\"")
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return self[startIndex..<end]
    }
}
