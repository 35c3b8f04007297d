/// An address with an optional display name, as it appears in `From:` and `To:`.
package struct MailAddress: Hashable, Sendable {
    package var address: String
    package var name: String?

    /// Refuses what would break the header or the SMTP envelope: no line breaks, spaces,
    /// angle brackets or quotes in the address, exactly one `@` with text on both sides.
    package init(_ address: String, name: String? = nil) throws(MailFormatError) {
        let forbidden: Set<Character> = ["\r", "\n", " ", "\t", "<", ">", "\"", ",", ";", "(", ")", "\\"]
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !address.contains(where: forbidden.contains),
            address.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 })
        else { throw MailFormatError("not a plain e-mail address: \(address.debugDescription)") }
        self.address = address
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `"Name" <address>`, the name as an RFC 2047 encoded word when it is not plain ASCII.
    var header: String {
        guard let name else { return "<\(address)>" }
        return "\(EncodedWord.phrase(name)) <\(address)>"
    }
}

/// A message that cannot be put together as asked.
package struct MailFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
