import Foundation
import SchedulerTestScopes
import SchedulerTesting
import Testing

/// The candidate's side with real processes: the service, the dev cluster, the responder, a
/// real SMTP server (STARTTLS, AUTH) and Debian's Chromium. Part of the serialized end-to-end
/// suite, so that it never runs beside the other multi-process tests: on two cores, a
/// browser and two such systems at once starved the engine's own tests of CPU.
extension ServiceEndToEndTests {

    /// Request → confirmation → an e-mail whose calendar part is a REQUEST with the provider's
    /// meeting link → the page in headless Chromium (screenshot kept in
    /// `.build/test-artifacts/`) → decline with the page's button → `interview.updated` on
    /// Kafka with the candidate's response.
    @Test func theCandidateDeclinesFromTheEmailedPage() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        let smtp = try await SMTPTestServer(tls: true, credentials: ("scheduler", "mail pass"))
        defer { smtp.stop() }
        try system.sendMail(to: smtp, user: "scheduler", password: "mail pass")
        system.environment["SCHEDULER_PUBLIC_URL"] = "http://127.0.0.1:\(system.port)"
        try await system.startService()
        try system.startResponder()

        // The provider's meeting (the local provider's stand-in), not a fixed link.
        let body = ServiceProcesses.panelRequest(candidate: "cand-page").replacingOccurrences(
            of: #""meetingUrl": "https://meet.example/ada""#, with: #""conferencing": "provider""#)
        let accepted = try await system.request("POST", "/api/v1/scheduling-requests", body: body)
        try #require(accepted.status == 202, "\(accepted.text)")
        let requestID = try #require(accepted.json["requestId"] as? String)
        let status = try await system.waitForState(requestID, ["confirmed", "failed", "needs-operator"])
        try #require(status["state"] as? String == "confirmed", "\(status)")
        let interviewID = try #require(status["interviewId"] as? String)

        // The e-mail, at the SMTP server: a REQUEST carrying the meeting everyone joins.
        try #require(try await eventually(30) { try smtp.received().count >= 1 }, "the invitation was mailed")
        let received = try #require(try smtp.received().first)
        #expect(received.tls && received.authenticated && received.to == ["ada@candidates.example"])
        let mail = try await ParsedMail.reading(smtp.file(1))
        let calendar = try #require(mail.calendar)
        #expect(calendar.method == "REQUEST" && calendar.partMethod == "REQUEST" && calendar.uid.hasPrefix(interviewID))
        #expect(calendar.url.hasPrefix("https://meet.scheduler.invalid/"), "the provider's link: \(calendar.url)")
        #expect(calendar.location == calendar.url)
        let created = try await eventually(30) {
            try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.interview.created", "-e", "-q"]).standardOutput
                .contains(calendar.url)
        }
        #expect(created, "interview.created carries the same link")

        // The personal link in the e-mail, opened in a real browser; the page needs no script.
        let text = try #require(mail.text)
        let link = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("Answer: ") }.map { String($0.dropFirst("Answer: ".count)) }, "\(text)")
        #expect(link.hasPrefix("http://127.0.0.1:\(system.port)/candidate/"))
        let artefacts = Self.root.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let browser = try await run(
            "python3",
            [
                Self.root.appendingPathComponent("scripts/tests/browser.py").path, link, "--screenshot",
                artefacts.appendingPathComponent("candidate-page.png").path, "--press", "decline", "--screenshot-after",
                artefacts.appendingPathComponent("candidate-page-declined.png").path,
            ])
        try #require(browser.status == 0, "\(browser.standardError)")
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(browser.standardOutput.utf8)) as? [String: Any])
        let before = try #require(seen["before"] as? String)
        #expect(before.contains("Panel interview: Ada Lovelace") && before.contains("(Europe/Berlin, UTC+0"), "\(before)")
        #expect(before.contains("Grace Hopper") && before.contains(calendar.url))
        #expect(seen["javascriptOnPage"] as? Int == 0)
        #expect((seen["after"] as? String)?.contains("You declined the interview") == true, "\(seen)")
        let png = try Data(contentsOf: artefacts.appendingPathComponent("candidate-page.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a screenshot of the page")

        // interview.updated on Kafka, valid against schemas/.
        var line: Substring?
        _ = try await eventually(30) {
            let updated = try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.interview.updated", "-e", "-q"])
            line = updated.standardOutput.split(separator: "\n").first { $0.contains(interviewID) && $0.contains("candidateResponse") }
            return line != nil
        }
        let message = try #require(line, "interview.updated with the candidate's response")
        #expect(message.contains(#""candidateResponse":{"new":"declined","old":"needs-action"}"#), "\(message)")
        let validation = try await run(
            "python3", [Self.root.appendingPathComponent("scripts/validate_events.py").path, "-"], input: String(message) + "\n")
        #expect(validation.status == 0, "\(validation.standardOutput)\(validation.standardError)")
    }
}
