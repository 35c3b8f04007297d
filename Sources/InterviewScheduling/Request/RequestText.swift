/// The rules for the request's text fields, counted as docs/openapi.yaml counts them: in
/// Unicode scalars (JSON Schema's characters), not in grapheme clusters.
package enum RequestText {
    /// What one line may not hold: LF, VT, FF, CR, the C1 controls (NEL among them),
    /// LINE SEPARATOR and PARAGRAPH SEPARATOR.
    static func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
        (0x0A...0x0D).contains(scalar.value) || (0x80...0x9F).contains(scalar.value) || (0x2028...0x2029).contains(scalar.value)
    }

    /// What a name may not hold: any control character (C0, DEL, C1) and the line and
    /// paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x2028...0x2029).contains(scalar.value)
    }

    /// What an e-mail address or a URL may not hold: controls, spaces and no-break space.
    static func isControlOrSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x20 || (0x7F...0xA0).contains(scalar.value) || (0x2028...0x2029).contains(scalar.value)
    }

    /// At most `maximum` characters and no line break.
    static func isOneLine(_ text: String, maximum: Int) -> Bool {
        text.unicodeScalars.count <= maximum && !text.unicodeScalars.contains(where: breaksLine)
    }

    /// What the invitation's texts may not hold: the controls iCalendar forbids in a text
    /// value (C0 but tab, and DEL; RFC 5545 §3.1), written raw by libical, which strict
    /// calendars refuse, and the C1 controls. Line breaks are the caller's to judge: a
    /// description may have them (as `\n` in the .ics), a title may not.
    static func isForbiddenInText(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    /// `local@domain.tld`: a non-empty local part, two or more non-empty labels, no controls,
    /// spaces or `<>",;:()[]\`, at most 254 characters.
    package static func isEmailAddress(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count <= 254, !scalars.contains(where: { isControlOrSpace($0) || "<>\",;:()[]\\".unicodeScalars.contains($0) }) else {
            return false
        }
        let parts = scalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// `http://` or `https://` (any case), a non-empty authority, and no controls, spaces or
    /// `<>"{}|\^` and backtick.
    package static func isWebURL(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        let rest: ArraySlice<Unicode.Scalar>
        if hasPrefix(scalars, "http://") {
            rest = scalars[7...]
        } else if hasPrefix(scalars, "https://") {
            rest = scalars[8...]
        } else {
            return false
        }
        guard let first = rest.first, !"/?#".unicodeScalars.contains(first) else { return false }
        return !rest.contains { isControlOrSpace($0) || "<>\"{}|\\^`".unicodeScalars.contains($0) }
    }

    /// Whether `scalars` start with the ASCII `prefix`, ignoring case.
    private static func hasPrefix(_ scalars: [Unicode.Scalar], _ prefix: String) -> Bool {
        let expected = Array(prefix.unicodeScalars)
        guard scalars.count >= expected.count else { return false }
        return zip(scalars, expected).allSatisfy { $0.properties.lowercaseMapping == String($1) && $0.isASCII }
    }
}
