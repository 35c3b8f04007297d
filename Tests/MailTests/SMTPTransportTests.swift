import Foundation
import Logging
import Mail
import SMTP
import SchedulerTesting
import Testing

/// libcurl against a real SMTP server (aiosmtpd in a child process).
@Suite struct SMTPTransportTests {
    static func transport(
        _ server: SMTPTestServer, security: SMTPSettings.Security = .none, user: String? = nil, password: String? = nil
    ) throws
        -> CurlSMTPTransport
    {
        CurlSMTPTransport(
            settings: SMTPSettings(
                url: server.url, security: security, username: user, password: password, caFile: server.certificate, timeout: .seconds(20)),
            logger: Logger(label: "smtp-test"))
    }

    @Test func aMessageArrivesWholeAndTheConnectionIsReused() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let transport = try Self.transport(server)
        let first = try SampleMail.message().outgoing()
        let second = try SampleMail.message(id: "iv-1.1.request@scheduler.example").outgoing()
        try await transport.deliver(first)
        try await transport.deliver(second)
        let received = try server.received()
        #expect(received.map(\.messageId) == ["<iv-1.0.request@scheduler.example>", "<iv-1.1.request@scheduler.example>"])
        #expect(received.first?.from == "interviews@scheduler.example")
        #expect(received.first?.to == ["zoe@example.com"])
        // The server may add headers of its own at the top; the message itself is unchanged.
        let arrived = try Data(contentsOf: server.file(1))
        #expect(String(decoding: arrived, as: UTF8.self).hasSuffix(String(decoding: first.content, as: UTF8.self)))
        #expect(try await ParsedMail.reading(server.file(1)).calendar?.method == "REQUEST")
    }

    @Test func startTLSAndAuthentication() async throws {
        let server = try await SMTPTestServer(tls: true, credentials: ("scheduler", "s3cret pass"))
        defer { server.stop() }
        try await Self.transport(server, security: .startTLS, user: "scheduler", password: "s3cret pass").deliver(SampleMail.message().outgoing())
        let received = try server.received()
        #expect(received.count == 1)
        #expect(received.first?.tls == true)
        #expect(received.first?.authenticated == true)
    }

    /// A wrong password is the relay's configuration, not the message: worth trying again.
    @Test func aRefusedLoginIsTemporary() async throws {
        let server = try await SMTPTestServer(tls: true, credentials: ("scheduler", "right"))
        defer { server.stop() }
        let error = await #expect(throws: MailDeliveryError.self) {
            try await Self.transport(server, security: .startTLS, user: "scheduler", password: "wrong").deliver(SampleMail.message().outgoing())
        }
        #expect(error?.kind == .transient)
        #expect(try server.received().isEmpty)
    }

    /// `smtp://` means STARTTLS unless the relay is declared local: no plain text to a relay
    /// that does not offer it.
    @Test func aRelayWithoutSTARTTLSIsRefusedWhenTLSIsRequired() async throws {
        let server = try await SMTPTestServer()
        defer { server.stop() }
        let error = await #expect(throws: MailDeliveryError.self) {
            try await Self.transport(server, security: .startTLS).deliver(SampleMail.message().outgoing())
        }
        #expect(error?.kind == .transient)
        #expect(try server.received().isEmpty)
    }

    @Test(arguments: [("451", MailDeliveryError.Kind.transient, 451), ("550", .permanent, 550), ("554", .permanent, 554)])
    func repliesDecideWhetherToTryAgain(fault: String, kind: MailDeliveryError.Kind, code: Int) async throws {
        let server = try await SMTPTestServer(faults: [fault])
        defer { server.stop() }
        let transport = try Self.transport(server)
        let error = await #expect(throws: MailDeliveryError.self) { try await transport.deliver(SampleMail.message().outgoing()) }
        #expect(error?.kind == kind)
        #expect(error?.replyCode == code)
        // The same handle goes on to deliver the next message.
        try await transport.deliver(SampleMail.message().outgoing())
        #expect(try server.received().map(\.reply) == [fault, "ok"])
    }

    @Test func aConnectionDroppedAfterDataIsTemporary() async throws {
        let server = try await SMTPTestServer(faults: ["drop"])
        defer { server.stop() }
        let transport = try Self.transport(server)
        let error = await #expect(throws: MailDeliveryError.self) { try await transport.deliver(SampleMail.message().outgoing()) }
        #expect(error?.kind == .transient)
        try await transport.deliver(SampleMail.message().outgoing())
        #expect(try server.received().map(\.messageId) == ["<iv-1.0.request@scheduler.example>", "<iv-1.0.request@scheduler.example>"])
    }

    @Test func noServerIsTemporary() async throws {
        let port = try FreePort.next()
        let transport = CurlSMTPTransport(
            settings: SMTPSettings(url: URL(string: "smtp://127.0.0.1:\(port)")!, security: .none, connectTimeout: .seconds(2)),
            logger: Logger(label: "smtp-test"))
        let error = await #expect(throws: MailDeliveryError.self) { try await transport.deliver(SampleMail.message().outgoing()) }
        #expect(error?.kind == .transient)
        #expect(error?.replyCode == nil)
    }
}
