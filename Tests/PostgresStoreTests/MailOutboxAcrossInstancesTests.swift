import Foundation
import InterviewScheduling
import PostgresNIO
import PostgresStore
import SchedulerTesting
import Testing

/// A one-shot gate for holding a transaction open at a chosen point.
struct Gate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Void>.makeStream()
    }

    func open() {
        continuation.yield()
        continuation.finish()
    }

    func wait() async {
        for await _ in stream { return }
    }
}

/// The interleaving that row locks alone let through, played step by step on two instances of
/// one database: two versions of one invitation being sent at the same time.
@Suite("PostgreSQL: the mail outbox across instances")
struct MailOutboxAcrossInstancesTests {
    /// Version 0 is being sent. Instance A queues version 1 in a transaction that stays open;
    /// meanwhile version 0 is put back (a temporary refusal) and claimed again in a transaction
    /// that stays open on instance B. Then A commits, version 1 is claimed, and B commits.
    /// Without the per-interview lock, the put-back and B's claim cannot see version 1 and the
    /// claim of version 1 cannot see B's: both end `sending`. With it, each call waits for the
    /// one before and version 0 gives way. The pauses give calls that do not wait the time to
    /// finish; the outcome of calls that wait does not depend on them.
    @Test(.timeLimit(.minutes(3))) func twoVersionsAreNeverBeingSentAtOnce() async throws {
        let url = try await PostgresTestServer.shared().newDatabase()
        let stores = [
            try await PostgresServiceDatabase.open(PostgresDatabase(url: url, maximumConnections: 8)),
            try await PostgresServiceDatabase.open(PostgresDatabase(url: url, maximumConnections: 8)),
        ]
        defer { for store in stores { store.database.close() } }
        let outbox = PostgresMailOutbox()
        let (first, second) = (
            try MailOutboxOnBothBackendsTests.mail("iv-1", sequence: 0), try MailOutboxOnBothBackendsTests.mail("iv-1", sequence: 1)
        )
        let now = MailOutboxOnBothBackendsTests.now
        try await stores[0].database.transaction { try await outbox.queue(first, at: now, in: $0) }
        #expect(try await stores[0].database.transaction { try await outbox.claim(first.messageID, in: $0) })

        let (queued, commitQueue, claimedAgain, commitClaim) = (Gate(), Gate(), Gate(), Gate())
        let queueing = Task {
            try await stores[0].database.transaction { connection in
                try await outbox.queue(second, at: now, in: connection)
                queued.open()
                await commitQueue.wait()
            }
        }
        await queued.wait()
        let puttingBack = Task { try await stores[1].database.transaction { try await outbox.retry(first.messageID, at: now, error: "451", in: $0) } }
        try await Task.sleep(for: .milliseconds(300))
        let claimingAgain = Task {
            try await stores[1].database.transaction { connection in
                let claimed = try await outbox.claim(first.messageID, in: connection)
                claimedAgain.open()
                await commitClaim.wait()
                return claimed
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        commitQueue.open()
        try await queueing.value
        let claimingNewer = Task { try await stores[0].database.transaction { try await outbox.claim(second.messageID, in: $0) } }
        try await Task.sleep(for: .milliseconds(300))
        commitClaim.open()
        try await puttingBack.value
        _ = try await claimingAgain.value
        _ = try await claimingNewer.value

        let statuses = try await stores[0].database.transaction { try await outbox.entries(ofInterview: "iv-1", in: $0) }.map(\.status)
        #expect(statuses.filter { $0 == .sending }.count <= 1, "\(statuses)")
        #expect(statuses == [.superseded, .sending], "version 0 gave way to version 1: \(statuses)")
    }
}
