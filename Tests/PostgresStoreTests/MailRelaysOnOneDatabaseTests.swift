import Foundation
import InterviewScheduling
import Logging
import Mail
import PostgresStore
import SagaCore
import SchedulerTesting
import Synchronization
import Testing

/// What the relays handed over, in order, and which relay did.
final class SentMail: Sendable {
    let log = Mutex<[(relay: String, messageID: String)]>([])
    var ids: [String] { log.withLock { $0.map(\.messageID) } }
    var relays: Set<String> { log.withLock { Set($0.map(\.relay)) } }
}

/// Records what each relay handed over; refuses a message for good when told to.
final class RecordingMailTransport: MailTransport {
    let relay: String
    let sent: SentMail
    let refuse: Set<String>

    init(relay: String, into sent: SentMail, refuse: Set<String> = []) {
        self.relay = relay
        self.sent = sent
        self.refuse = refuse
    }

    var destination: String { "recorder \(relay)" }

    func deliver(_ mail: OutgoingMail) async throws(MailDeliveryError) {
        if refuse.contains(mail.messageID) { throw MailDeliveryError(.permanent, replyCode: 550, "550 no such user") }
        sent.log.withLock { $0.append((relay, mail.messageID)) }
    }
}

/// Two instances' mail relays on one PostgreSQL database: the one that holds the relays' lease
/// sends, woken by the commits that queue mail; when it stops, the other takes over once the
/// lease has run out, and each message is handed over once.
@Suite("PostgreSQL: mail relays of two instances on one database")
struct MailRelaysOnOneDatabaseTests {
    @Test(.timeLimit(.minutes(3))) func theLeaderSendsEachMessageOnceAndTheOtherTakesOver() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let stores = [
            try await PostgresServiceDatabase.open(PostgresDatabase(url: url, maximumConnections: 8)),
            try await PostgresServiceDatabase.open(PostgresDatabase(url: url, maximumConnections: 8)),
        ]
        defer { for store in stores { store.database.close() } }
        let sent = SentMail()
        let names = ["a", "b"]
        // A standby looks every 100 ms, the leader at least as often; a 10 s lease outlasts a loaded
        // run's slowest pass (at 2 s, passes of a loaded suite run outlasted it and the standby took over).
        let relays = names.indices.map { index in
            MailRelay(
                store: PostgresMailRelayStore(store: stores[index], owner: names[index], lease: .seconds(10), pollInterval: .milliseconds(100)),
                transport: RecordingMailTransport(relay: names[index], into: sent), logger: Logger(label: "mail-\(names[index])"))
        }
        // While one instance leads, the other claims nothing, even messages left `sending`.
        let early = try MailOutboxOnBothBackendsTests.mail("iv-early", sequence: 0)
        try await stores[0].database.transaction { try await PostgresMailOutbox().queue(early, at: Date(), in: $0) }
        let direct = names.indices.map { PostgresMailRelayStore(store: stores[$0], owner: names[$0], lease: .seconds(60)) }
        #expect(try await direct[0].claimDue(at: Date(), limit: 10).map(\.messageID) == [early.messageID])
        #expect(try await direct[1].claimDue(at: Date(), limit: 10).isEmpty, "b does not lead while a's lease runs")
        try await direct[0].markSent(early.messageID, at: Date())
        var running = relays.map { relay in Task { await relay.run() } }
        func queue(_ interviewID: String, on instance: Int) async throws {
            let mail = try MailOutboxOnBothBackendsTests.mail(interviewID, sequence: 0)
            try await stores[instance].database.transaction { try await PostgresMailOutbox().queue(mail, at: Date(), in: $0) }
        }
        for index in 0..<10 { try await queue("iv-\(index)", on: index % 2) }
        #expect(try await eventually(30) { sent.ids.count == 10 })
        #expect(Set(sent.ids).count == 10 && sent.relays.count == 1, "\(sent.log.withLock { $0 })")
        let leader = try #require(sent.relays.first)
        let other = leader == "a" ? 1 : 0

        // Marked sent before the leader stops: a mark that the stop interrupts leaves the message
        // `sending`, and the next leader sends it again (at least once, the same Message-ID),
        // which is not what this test is about.
        #expect(try await eventually(30) { try await stores[0].database.transaction { try await PostgresMailOutbox().backlog(in: $0) } == 0 })

        // The leader stops without resigning: the other sends once the lease has run out.
        running[1 - other].cancel()
        await running[1 - other].value
        for index in 10..<15 { try await queue("iv-\(index)", on: index % 2) }
        #expect(try await eventually(30) { sent.ids.count == 15 })
        try await Task.sleep(for: .milliseconds(500))
        #expect(Set(sent.ids).count == 15 && sent.ids.count == 15, "no message twice: \(sent.ids)")
        #expect(sent.log.withLock { $0.suffix(5).allSatisfy { $0.relay == names[other] } })
        running[other].cancel()
        await running[other].value
        running.removeAll()
    }

    /// A message refused for good is marked undeliverable and announced on `error.occurred`,
    /// in one transaction, and not sent again.
    @Test func aRefusedMessageIsAnnouncedOnce() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let store = try await PostgresServiceDatabase.open(PostgresDatabase(url: url, maximumConnections: 8))
        defer { store.database.close() }
        let mail = try MailOutboxOnBothBackendsTests.mail("iv-1", sequence: 0)
        try await store.database.transaction { try await PostgresMailOutbox().queue(mail, at: Date(), in: $0) }
        let sent = SentMail()
        let relay = MailRelay(
            store: PostgresMailRelayStore(store: store, owner: "a"),
            transport: RecordingMailTransport(relay: "a", into: sent, refuse: [mail.messageID]),
            logger: Logger(label: "mail"))
        #expect(try await relay.deliverDue() == 1)
        #expect(try await relay.deliverDue() == 0)
        let entries = try await store.database.transaction { try await PostgresMailOutbox().entries(ofInterview: "iv-1", in: $0) }
        #expect(entries.map(\.status) == [.undeliverable] && entries.first?.lastError?.contains("550") == true, "\(entries)")
        let announced = try await store.pendingOutbox(limit: 10).filter { $0.topic == "enginedge.interview.error.occurred" }
        #expect(announced.map(\.id) == ["mail:\(mail.messageID):error.occurred"])
    }
}
