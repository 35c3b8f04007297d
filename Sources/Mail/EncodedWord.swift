import Foundation

/// Header text (RFC 5322, RFC 2047): ASCII stays readable; anything else, or anything that
/// could end the header early, travels as `=?UTF-8?B?…?=` words of at most 75 characters,
/// split only between characters.
enum EncodedWord {
    /// An unstructured header value (`Subject`).
    static func text(_ value: String) -> String {
        isPlain(value) ? value : encoded(value)
    }

    /// A display name: quoted when it is plain ASCII, encoded otherwise.
    static func phrase(_ value: String) -> String {
        guard isPlain(value) else { return encoded(value) }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    private static func isPlain(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !value.contains("=?") && value.count <= 900
    }

    /// Words of at most 36 bytes of UTF-8 each (48 base64 characters, 60 with the frame, so
    /// that the first fits after the header's name), separated by folding white space, which
    /// decoders drop between encoded words. Line breaks and other control characters, which
    /// have no place in a header, become spaces.
    private static func encoded(_ value: String) -> String {
        var words: [String] = []
        var chunk = Data()
        // Split between scalars, each a whole UTF-8 sequence: a character of many combining
        // marks may not fit one word.
        for scalar in value.unicodeScalars.map({ isControl($0) ? " " : $0 }) {
            let bytes = Data(String(scalar).utf8)
            if chunk.count + bytes.count > 36, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    private static func word(_ bytes: Data) -> String {
        "=?UTF-8?B?\(bytes.base64EncodedString())?="
    }
}
