import Foundation
import Mail
import SchedulerTesting
import Testing

/// `MailDirectoryTransport.removeCopies(ofMessagesPrefixed:)`, an erasure's, while the mail
/// relay writes other messages into the same directory.
@Suite struct MailDirectoryRemovalTests {
    static func mail(_ messageID: String) -> OutgoingMail {
        OutgoingMail(
            messageID: messageID, sender: "interviews@scheduler.example", recipients: ["ada@candidates.example"],
            content: Data("Message-ID: <\(messageID)>\r\n\r\nbody\r\n".utf8))
    }

    /// The `.eml` files in `directory`.
    static func files(in directory: URL) -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") })
    }

    @Test func aRemovalDuringDeliveriesTakesItsInterviewsFilesOnly() async throws {
        let directory = try TemporaryDirectory(prefix: "mail-removal")
        defer { directory.remove() }
        let mailDirectory = directory.url.appendingPathComponent("mail")
        let transport = MailDirectoryTransport(directory: mailDirectory)
        // `iv-req-1.` must not take `iv-req-10.`'s files, nor another interview's.
        let erased = (0..<20).map { "iv-req-1.\($0).request@scheduler.example" }
        let kept = (0..<20).map { "iv-req-10.\($0).request@scheduler.example" } + (0..<20).map { "iv-req-2.\($0).cancel@scheduler.example" }
        try await transport.deliver(Self.mail(erased[0]))
        let removed = try await withThrowingTaskGroup(of: Int.self) { group in
            for messageID in erased.dropFirst() + kept {
                group.addTask {
                    try await transport.deliver(Self.mail(messageID))
                    return 0
                }
            }
            group.addTask { try await transport.removeCopies(ofMessagesPrefixed: "iv-req-1.") }
            return try await group.reduce(0, +)
        }
        let left = Self.files(in: mailDirectory)
        #expect(Set(kept.map { transport.file(for: $0).lastPathComponent }).isSubset(of: left), "every other interview's file is kept")
        let erasedLeft = erased.filter { left.contains(transport.file(for: $0).lastPathComponent) }
        // Each of the erased interview's files was either removed or written after the removal.
        #expect(removed >= 1 && removed + erasedLeft.count == erased.count, "removed \(removed), left \(erasedLeft.count)")
        #expect(left.count == kept.count + erasedLeft.count)
        #expect(try await transport.removeCopies(ofMessagesPrefixed: "iv-req-1.") == erasedLeft.count, "and a second removal takes the rest")
        #expect(Self.files(in: mailDirectory).count == kept.count)
    }

    @Test func aDirectoryNotMadeYetHoldsNothingToRemove() async throws {
        let directory = try TemporaryDirectory(prefix: "mail-removal")
        defer { directory.remove() }
        let transport = MailDirectoryTransport(directory: directory.url.appendingPathComponent("never-written"))
        #expect(try await transport.removeCopies(ofMessagesPrefixed: "iv-req-1.") == 0)
    }
}
