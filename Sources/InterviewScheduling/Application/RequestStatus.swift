package import Foundation
import SagaCore
package import SchedulingCore

/// What a recruiter reads about one scheduling request.
package struct RequestStatus: Hashable, Sendable {
    package enum State: String, Hashable, Sendable {
        /// Asking, waiting for availability, choosing, booking.
        case pending
        case confirmed
        /// A step failed; what was done is being undone.
        case undoing
        /// A step failed and everything was undone.
        case failed
        /// The recruiter cancelled it (before or after it was confirmed).
        case cancelled
        /// An undo step keeps failing: an operator must look.
        case needsOperator = "needs-operator"
    }

    /// One line of the saga's log.
    package struct TimelineEntry: Hashable, Sendable {
        package var at: Date
        package var step: String?
        package var phase: String
        package var outcome: String
        package var attempt: Int
        package var message: String?
    }

    package var requestID: String
    package var state: State
    package var slot: Interval?
    package var interviewID: String?
    /// Why it failed, when it did.
    package var error: String?
    /// The candidate's e-mail, once an invitation was issued.
    package var invitation: InvitationDelivery?
    package var timeline: [TimelineEntry]

    /// The state of a request whose saga is `instance` and whose interview (once booked) has `interviewStatus`.
    static func state(of instance: SagaInstance, interviewStatus: InterviewRecord.Status?) -> State {
        if interviewStatus == .cancelled { return .cancelled }
        switch instance.status {
        case .running, .waiting: return .pending
        case .completed: return .confirmed
        case .compensating: return .undoing
        case .compensated: return instance.wasAborted ? .cancelled : .failed
        case .failed: return .needsOperator
        }
    }
}
