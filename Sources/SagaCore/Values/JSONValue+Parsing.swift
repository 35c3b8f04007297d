package import Foundation

extension JSONValue {
    /// Parses JSON text (RFC 8259) straight into a value. `JSONDecoder` can only reach a
    /// `JSONValue` by trying each type in turn and catching the mismatches, and building
    /// those errors dominated the cost of reading saga data back.
    package init(parsing text: Data) throws {
        self = try text.withUnsafeBytes { try JSONTextParser.document(in: $0.bindMemory(to: UInt8.self)) }
    }

    /// As `init(parsing:)`, from bytes in an array (a Kafka message's), without copying them.
    package init(parsing text: [UInt8]) throws {
        self = try text.withUnsafeBufferPointer { try JSONTextParser.document(in: $0) }
    }
}

/// Malformed JSON text, with the byte offset where reading stopped.
package struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    package var offset: Int
    package var reason: String

    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    package var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A recursive-descent reader over UTF-8 bytes; one value per document.
private struct JSONTextParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    static let maximumDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one value `bytes` hold.
    static func document(in bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONTextParser(bytes: bytes)
        return try parser.document()
    }

    mutating func document() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try value()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected data after the value") }
        return value
    }

    private func failure(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, reason: reason)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func consume(_ byte: UInt8) throws(JSONSyntaxError) {
        guard current == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    private mutating func value() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw failure("unexpected end of data") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object())
        case UInt8(ascii: "["): return .array(try array())
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count, (0..<count).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] }) else {
            throw failure("unexpected character")
        }
        index += count
        return value
    }

    /// A bracketed, comma-separated list (the index on its opening bracket): `item` reads
    /// each entry, whitespace around entries is skipped.
    private mutating func list(
        closedBy close: UInt8, _ item: (inout JSONTextParser) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) levels") }
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if current == close {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try item(&self)
            skipWhitespace()
            guard current == UInt8(ascii: ",") else { break }
            index += 1
        }
        try consume(close)
    }

    private mutating func object() throws(JSONSyntaxError) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        try list(closedBy: UInt8(ascii: "}")) { parser throws(JSONSyntaxError) in
            guard parser.current == UInt8(ascii: "\"") else { throw parser.failure("expected a member name") }
            let key = try parser.string()
            parser.skipWhitespace()
            try parser.consume(UInt8(ascii: ":"))
            parser.skipWhitespace()
            let value = try parser.value()
            // Room for an event's members at once, rather than growing three times; nothing
            // for an empty object.
            if members.isEmpty { members.reserveCapacity(8) }
            // The first of repeated names, as JSONDecoder does; one lookup for a new name.
            if let first = members.updateValue(value, forKey: key) { members[key] = first }
        }
        return members
    }

    private mutating func array() throws(JSONSyntaxError) -> [JSONValue] {
        var elements: [JSONValue] = []
        try list(closedBy: UInt8(ascii: "]")) { parser throws(JSONSyntaxError) in elements.append(try parser.value()) }
        return elements
    }

    /// A string; the index is on its opening quote.
    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw failure("control character in a string") }
            index += 1
        }
        guard let stop = current else { throw failure("unterminated string") }
        let text: String?
        if stop == UInt8(ascii: "\\") {
            var utf8 = Array(bytes[start..<index])
            try unescape(into: &utf8)
            text = String(validating: utf8, as: UTF8.self)
        } else {
            text = Self.text(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        }
        index += 1  // the closing quote
        guard let text else { throw failure("a string is not valid UTF-8") }
        return text
    }

    /// The string of UTF-8 bytes, nil if they are not UTF-8. ASCII (nearly every string of an
    /// event) is taken as it is: `String(validating:as:)` is generic and was a sixth of the
    /// time a message took to decode.
    private static func text(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        utf8.allSatisfy { $0 < 0x80 } ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
    }

    /// Reads the rest of a string that has escapes, up to (not past) its closing quote.
    private mutating func unescape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        while let byte = current, byte != UInt8(ascii: "\"") {
            guard byte >= 0x20 else { throw failure("control character in a string") }
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            index += 1
            guard let escaped = current else { throw failure("unterminated escape") }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(try hex4())
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure("unpaired surrogate")
                    }
                    index += 2
                    let low = UInt32(try hex4())
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw failure("unpaired surrogate")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw failure("invalid escape")
            }
        }
        guard current != nil else { throw failure("unterminated string") }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw failure("short \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// A number as RFC 8259 writes it: `-? int frac? exp?`, no leading zeros.
    private mutating func number() throws(JSONSyntaxError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw failure("invalid number") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard try digitsFollow() else { throw failure("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard try digitsFollow() else { throw failure("invalid number") }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
            throw failure("number out of range")
        }
        return value
    }

    private mutating func skipDigits() {
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
    }

    private mutating func digitsFollow() throws(JSONSyntaxError) -> Bool {
        let start = index
        skipDigits()
        return index > start
    }
}
