import Foundation

/// Quoted-printable (RFC 2045 §6.7) for text parts: what is printable ASCII stays readable in
/// the raw message; lines of at most 76 characters; the text's own line breaks become CRLF.
enum QuotedPrintable {
    static func encode(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { encodeLine(Array(String($0).utf8)) }.joined(separator: "\r\n")
    }

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var output = ""
        var line = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token: String
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E: token = String(UnicodeScalar(byte))
            // Space and tab are literal except at the end of a line, where transports may drop them.
            case 0x20, 0x09: token = isLast ? hex(byte) : String(UnicodeScalar(byte))
            default: token = hex(byte)
            }
            // A soft line break ("=" at the end) keeps every line at 76 characters or fewer.
            if line.count + token.count > 75 {
                output += line + "=\r\n"
                line = ""
            }
            line += token
        }
        return output + line
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
