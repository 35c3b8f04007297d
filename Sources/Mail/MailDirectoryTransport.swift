package import Foundation

/// Writes each message as an `.eml` file into a directory instead of sending it: the embedded
/// mode's mail (open the file in any mail client), or a pickup directory that another program
/// sends from. The file is named after the Message-ID, so sending the same message again
/// replaces it, as a receiving client would de-duplicate it; it appears whole or not at all.
package struct MailDirectoryTransport: MailTransport {
    package let directory: URL
    private let files = SerialWorkQueue(label: "mail-directory")

    package init(directory: URL) {
        self.directory = directory
    }

    package var destination: String { directory.path }

    package func destination(of messageID: String) -> String { file(for: messageID).path }

    /// The file that `messageID` is written to.
    package func file(for messageID: String) -> URL {
        directory.appendingPathComponent(Self.fileName(messageID) + ".eml")
    }

    /// `messageID` with every character but letters, digits and `.-@` as `_`.
    private static func fileName(_ messageID: String) -> String {
        String(messageID.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "@" ? $0 : "_" })
    }

    /// Deletes the files of the messages whose Message-ID starts with `prefix`, as written
    /// by this transport (a directory that does not exist holds none). In a pickup directory,
    /// those another program has taken already are gone anyway.
    package func removeCopies(ofMessagesPrefixed prefix: String) async throws -> Int {
        let directory = directory, start = Self.fileName(prefix)
        return try await files.run { () -> Result<Int, any Error> in
            Result {
                guard FileManager.default.fileExists(atPath: directory.path) else { return 0 }
                var removed = 0
                for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix(start) && name.hasSuffix(".eml")
                {
                    do {
                        try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
                        removed += 1
                    } catch CocoaError.fileNoSuchFile {
                        continue  // taken meanwhile by the program that sends from the directory
                    }
                }
                return removed
            }
        }.get()
    }

    package func deliver(_ mail: OutgoingMail) async throws(MailDeliveryError) {
        let directory = directory, file = file(for: mail.messageID)
        let failure = await files.run { () -> String? in
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try mail.content.write(to: file, options: .atomic)
                return nil
            } catch {
                return "cannot write \(file.path): \(error)"
            }
        }
        if let failure { throw MailDeliveryError(.transient, failure) }
    }
}
