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
        let safe = String(messageID.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "@" ? $0 : "_" })
        return directory.appendingPathComponent(safe + ".eml")
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
