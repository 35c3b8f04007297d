import Events
package import Foundation
import GRDB
package import Logging
package import Mail
import Metrics
import SagaCore
package import SagaStore

/// Sends the candidate's mail from the mail outbox. A message is claimed (`sending`) in one
/// write, handed to the transport, and its outcome written in another, so a crash in between
/// sends it again with the same Message-ID, which receiving clients de-duplicate. A 4xx reply
/// or a lost connection is retried with backoff; a 5xx reply (or the last retry) marks it
/// undeliverable and publishes `error.occurred`. The booking stands either way: the recruiter
/// sees the delivery on the request.
package final class MailRelay: Sendable {
    private let store: any MailRelayStore
    private let transport: any MailTransport
    private let policy: MailRetryPolicy
    private let logger: Logger
    private let clock: @Sendable () -> Date
    /// Messages handed to the transport at once (SMTP sends them one after another).
    private let batchSize = 4

    package init(
        store: any MailRelayStore, transport: any MailTransport, policy: MailRetryPolicy = MailRetryPolicy(), logger: Logger,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.transport = transport
        self.policy = policy
        self.logger = logger
        self.clock = clock
    }

    /// The relay of the service's SQLite file.
    package convenience init(
        store: SagaStore, transport: any MailTransport, policy: MailRetryPolicy = MailRetryPolicy(), logger: Logger,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.init(store: SQLiteMailRelayStore(store: store), transport: transport, policy: policy, logger: logger, clock: clock)
    }

    /// Sends until cancelled; wakes when a message is queued or the next retry is due.
    package func run() async {
        logger.notice("candidate mail goes to \(transport.destination)")
        while !Task.isCancelled {
            do {
                if try await deliverDue() > 0 { continue }
                let next = try await store.nextAttempt()
                let idle = next.map { max(0, $0.timeIntervalSince(clock())) } ?? 5
                await store.waitForMail(timeout: .milliseconds(Int(min(idle, 5) * 1000) + 1))
            } catch {
                logger.error("mail relay could not read the mail outbox", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// One pass: sends the messages due now; returns how many were tried. Each outcome is
    /// written as soon as it is known, so a crash re-sends only what was in flight.
    @discardableResult
    package func deliverDue() async throws -> Int {
        let now = clock()
        let claimed = try await store.claimDue(at: now, limit: batchSize)
        guard !claimed.isEmpty else { return 0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for entry in claimed {
                group.addTask { [transport] in
                    var failure: MailDeliveryError?
                    do throws(MailDeliveryError) {
                        try await transport.deliver(entry.mail)
                    } catch {
                        failure = error
                    }
                    try await self.record(entry, failure)
                }
            }
            try await group.waitForAll()
        }
        return claimed.count
    }

    private func record(_ entry: MailOutbox.Entry, _ failure: MailDeliveryError?) async throws {
        let now = clock()
        let decision = decide(entry, failure)
        switch decision {
        case .sent: try await store.markSent(entry.messageID, at: now)
        case .retry(let wait):
            let retryAt = now.addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            try await store.retry(entry.messageID, at: retryAt, error: "\(failure.map(String.init(describing:)) ?? "")")
        case .giveUp:
            try await store.giveUp(entry, reason: failure.map(String.init(describing:)) ?? "no reason given", replyCode: failure?.replyCode, at: now)
        }
        let metadata: Logger.Metadata = [
            "messageId": "\(entry.messageID)", "interviewId": "\(entry.interviewID)", "attempt": "\(entry.attempts + 1)",
        ]
        switch decision {
        case .sent:
            Counter(label: "interview_mail_total", dimensions: [("result", "sent")]).increment()
            logger.notice("candidate mail sent", metadata: metadata.merging(["to": "\(transport.destination(of: entry.messageID))"]) { $1 })
        case .retry(let wait):
            Counter(label: "interview_mail_total", dimensions: [("result", "retry")]).increment()
            logger.warning(
                "candidate mail refused for now; trying again",
                metadata: metadata.merging(["error": "\(failure.map(String.init(describing:)) ?? "")", "in": "\(wait)"]) { $1 })
        case .giveUp:
            Counter(label: "interview_mail_total", dimensions: [("result", "undeliverable")]).increment()
            logger.error(
                "candidate mail undeliverable", metadata: metadata.merging(["error": "\(failure.map(String.init(describing:)) ?? "")"]) { $1 })
        }
    }

    private enum Decision {
        case sent
        case retry(Duration)
        case giveUp
    }

    private func decide(_ entry: MailOutbox.Entry, _ failure: MailDeliveryError?) -> Decision {
        guard let failure else { return .sent }
        // `entry` was read before its claim counted this attempt: this is attempt `attempts + 1`.
        if failure.kind == .permanent || entry.attempts + 1 >= policy.maximumAttempts { return .giveUp }
        return .retry(policy.backoff(afterAttempts: entry.attempts + 1))
    }

    /// `error.occurred` for an invitation that will not reach the candidate, filed under the
    /// request's saga so that an erasure of the candidate finds it.
    static func announceUndeliverable(
        messageID: String, interviewID: String, method: String, reason: String, replyCode: Int?, at now: Date, in db: Database
    ) throws {
        let interview = try InterviewRecords.interview(id: interviewID, in: db)
        let message = try undeliverableMessage(
            messageID: messageID, interviewID: interviewID, method: method, reason: reason, replyCode: replyCode, interview: interview, at: now)
        try SagaStore.insertOutbox(message, sagaID: interview?.requestID, at: now, in: db)
    }

    /// The `error.occurred` that says the candidate's message will not be delivered (both backends).
    static func undeliverableMessage(
        messageID: String, interviewID: String, method: String, reason: String, replyCode: Int?, interview: InterviewRecord?, at now: Date
    ) throws -> OutboxMessage {
        var context = ["messageId": messageID, "method": method]
        if let replyCode { context["smtpReplyCode"] = "\(replyCode)" }
        if let requestID = interview?.requestID { context["requestId"] = requestID }
        let error = ErrorOccurred(
            errorId: "mail:\(messageID):error", component: "scheduling", severity: "medium",
            error: .init(code: "INVITATION_UNDELIVERABLE", message: "the candidate's invitation could not be delivered: \(reason)", context: context),
            affectedEntities: .init(interviewId: interviewID, candidateId: interview?.candidateID))
        return try InterviewMessages.message(
            .errorOccurred, id: "mail:\(messageID):error.occurred", key: interviewID, correlation: interview?.requestID ?? interviewID, data: error,
            now: now)
    }
}
