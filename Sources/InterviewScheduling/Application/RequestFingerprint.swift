/// FNV-1a (64-bit) in hex: a stable fingerprint of a request body for `Idempotency-Key`
/// checks, and of a key for deriving a request id. Not a security hash.
package enum RequestFingerprint {
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
