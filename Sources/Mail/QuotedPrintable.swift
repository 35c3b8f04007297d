import Foundation

/// Quoted-printable (RFC 2045 §6.7) for text parts: what is printable ASCII stays readable in
/// the raw message; lines of at most 76 characters; the text's own line breaks become CRLF.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 4)
        for (number, line) in lines.enumerated() {
            if number > 0 { output += [UInt8(ascii: "\r"), UInt8(ascii: "\n")] }
            encodeLine(Array(line.utf8), into: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let digits = Array("0123456789ABCDEF".utf8)

    /// Appends one line of text, encoded, with soft line breaks where it runs past 76
    /// characters. Works on bytes: every encoded character is one ASCII byte.
    private static func encodeLine(_ bytes: [UInt8], into output: inout [UInt8]) {
        var lineLength = 0
        for (index, byte) in bytes.enumerated() {
            let literal: Bool
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E: literal = true
            // Space and tab are literal except at the end of a line, where transports may drop them.
            case 0x20, 0x09: literal = index != bytes.count - 1
            default: literal = false
            }
            let width = literal ? 1 : 3
            // A soft line break ("=" at the end) keeps every line at 76 characters or fewer.
            if lineLength + width > 75 {
                output += [UInt8(ascii: "="), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
                lineLength = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "="), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
            lineLength += width
        }
    }
}
