/// Google event ids a client may choose: base32hex (`0-9a-v`), 5 to 1024 characters.
///
/// The id is the base32hex encoding of the idempotency key's UTF-8 bytes, so a retry after
/// a crash asks for the same id, and two keys never share one.
enum GoogleEventID {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)

    /// Keys of 3 to 640 bytes give 5 to 1024 characters.
    static let keyLengths = 3...640

    /// `nil` when the key's length is outside `keyLengths`.
    static func derive(fromKey key: String) -> String? {
        guard keyLengths.contains(key.utf8.count) else { return nil }
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in key.utf8 {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }
}
