import Events
package import Foundation
package import SagaCore
import SchedulingCore

/// The candidate's answer to their invitation, as a command: decided on the interview as the
/// answering transaction reads it, so that either backend records it the same way.
package struct CandidateAnswer: Sendable {
    package var interviewID: String
    package var response: CandidateResponse
    /// The version of the invitation answered (the page's, or the REPLY's); nil: the current one.
    package var sequence: Int?
    /// Where the answer came from, for the audit trail ("page", "iTIP REPLY").
    package var channel: String
    package var at: Date

    /// What to write beside the new answer.
    package struct Record: Sendable {
        /// `interview.updated` with `changes.candidateResponse`.
        package var message: OutboxMessage
        package var audit: AuditEntry
        /// The saga the message belongs to: the request's.
        package var requestID: String
    }

    /// Refuses an answer to a missing or cancelled interview, or to a version that has since
    /// moved; nil when the interview has this answer already. `changes` is how often the
    /// candidate's answer has changed before.
    package func record(on interview: InterviewRecord?, changes: Int) throws -> Record? {
        guard let interview else { throw ApplicationError.notFound("interview \(interviewID.prefix(100))") }
        guard interview.status == .confirmed else { throw ApplicationError.conflict("interview \(interviewID) is cancelled") }
        if let sequence, sequence != interview.sequence {
            throw ApplicationError.conflict(
                "the answer is to version \(sequence) of the invitation; the interview has changed since (version \(interview.sequence))")
        }
        guard interview.candidateResponse != response else { return nil }
        let updated = InterviewUpdated(
            interviewId: interviewID, changes: ["candidateResponse": .init(old: interview.candidateResponse.rawValue, new: response.rawValue)])
        let message = try InterviewMessages.message(
            .interviewUpdated, id: "\(interviewID):candidateResponse:\(changes + 1)", key: interviewID, correlation: interview.requestID,
            data: updated, now: at)
        let audit = AuditEntry(
            actor: "candidate:\(interview.candidateID)", action: "interview.candidate-response", target: interviewID,
            detail: "\(interview.candidateResponse.rawValue) → \(response.rawValue) (\(channel))", at: Instant(at).secondsSinceEpoch)
        return Record(message: message, audit: audit, requestID: interview.requestID)
    }
}

/// The candidate's interview with its request, as one read sees it.
package struct CandidateInterviewView: Sendable {
    package var interview: InterviewRecord
    /// The scheduling request's saga.
    package var request: SagaInstance
    /// A reschedule of the interview has not settled.
    package var rescheduling: Bool
}
