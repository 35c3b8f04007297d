import Foundation

/// The embedded mode's API signing key: 32 random bytes as hex, created once per data
/// directory in a file only its owner can read, so tokens survive restarts and no key is
/// shared between installations.
enum EmbeddedSigningKey {
    static func path(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("jwt-secret").path
    }

    static func existing(in directory: String) -> String? {
        guard let text = try? String(contentsOfFile: path(in: directory), encoding: .utf8) else { return nil }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return key.utf8.count >= ServiceOptions.minimumSecretBytes ? key : nil
    }

    /// The directory's key, created if there is none. Two processes starting at once agree:
    /// the key is written whole to a private file, then linked into place, which fails for
    /// the second one, who reads the first one's key.
    static func loadOrCreate(in directory: String) throws(ServiceConfigurationError) -> String {
        if let key = existing(in: directory) { return key }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        let target = path(in: directory)
        let draft = target + ".\(UUID().uuidString).draft"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Private from its first byte: created with mode 0600, not chmod-ed afterwards.
            let descriptor = open(draft, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { unlink(draft) }
            let text = Array((key + "\n").utf8)
            let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard written == text.count else { throw POSIXError(.EIO) }
            if link(draft, target) != 0, errno != EEXIST { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw ServiceConfigurationError(variable: "SCHEDULER_DATA_DIR", problem: "cannot hold the embedded signing key at \(target): \(error)")
        }
        guard let stored = existing(in: directory) else {
            throw ServiceConfigurationError(
                variable: "SCHEDULER_DATA_DIR", problem: "\(target) holds no usable key; remove it to have a new one made")
        }
        return stored
    }
}
