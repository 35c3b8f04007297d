import Foundation

/// One part of a MIME message (RFC 2045, 2046): a leaf with a body, or a multipart container.
package indirect enum MIMEPart: Hashable, Sendable {
    /// Text shown to the reader (`text/plain`, `text/html`), quoted-printable, UTF-8.
    case text(subtype: String, String)
    /// A calendar object (RFC 6047 §2.4): `text/calendar` with its iTIP `method`, base64, so
    /// that its CRLF lines and folding reach the client untouched.
    case calendar(method: String, fileName: String, String)
    /// `multipart/<subtype>` of `parts`, in order.
    case multipart(subtype: String, [MIMEPart])

    /// The part's headers and body. Boundaries are derived from `seed` and the part's place,
    /// and contain `=_`, which neither quoted-printable nor base64 output can contain.
    func rendered(seed: String, path: String = "0") -> String {
        switch self {
        case .text(let subtype, let body):
            return "Content-Type: text/\(subtype); charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + QuotedPrintable.encode(body)
        case .calendar(let method, let fileName, let body):
            return "Content-Type: text/calendar; charset=UTF-8; method=\(method); name=\"\(fileName)\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: inline; filename=\"\(fileName)\"\r\n\r\n"
                + Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        case .multipart(let subtype, let parts):
            let boundary = "=_\(seed)_\(path)"
            var text = "Content-Type: multipart/\(subtype); boundary=\"\(boundary)\"\r\n\r\n"
            for (index, part) in parts.enumerated() {
                text += "--\(boundary)\r\n" + part.rendered(seed: seed, path: "\(path).\(index)") + "\r\n"
            }
            return text + "--\(boundary)--"
        }
    }
}
