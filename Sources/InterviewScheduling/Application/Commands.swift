import Events
package import Foundation
package import SchedulingCore

/// `POST /api/v1/scheduling-requests`: the body as sent, so that a repeat under the same
/// `Idempotency-Key` is recognised by its bytes before it is validated.
package struct RequestInterview: Sendable {
    package var caller: Caller
    package var body: Data
    package var idempotencyKey: String?

    package init(caller: Caller, body: Data, idempotencyKey: String?) {
        self.caller = caller
        self.body = body
        self.idempotencyKey = idempotencyKey
    }
}

/// The request was accepted (or, for a repeat, had been): the saga runs.
package struct RequestAccepted: Hashable, Sendable {
    package var requestID: String
}

/// `POST /api/v1/scheduling-requests/{id}/cancel`.
package struct CancelRequest: Sendable {
    package var caller: Caller
    package var requestID: String
    /// One of the catalog's reasons (`InterviewCancelled.Reason`); checked once the caller is
    /// known to own the request. Default `interviewer_unavailable`.
    package var reason: String?

    package init(caller: Caller, requestID: String, reason: String?) {
        self.caller = caller
        self.requestID = requestID
        self.reason = reason
    }
}

/// `POST /api/v1/interviews/{id}/reschedule`: a new window (and preferred times) to search.
package struct RescheduleInterview: Sendable {
    package var caller: Caller
    package var interviewID: String
    package var window: SlotRequest.TimeRange
    package var preferredTimes: [SlotRequest.TimeRange]?

    package init(caller: Caller, interviewID: String, window: SlotRequest.TimeRange, preferredTimes: [SlotRequest.TimeRange]?) {
        self.caller = caller
        self.interviewID = interviewID
        self.window = window
        self.preferredTimes = preferredTimes
    }
}

/// The reschedule runs under this id.
package struct RescheduleAccepted: Hashable, Sendable {
    package var interviewID: String
    package var rescheduleID: String
}

/// `GET /api/v1/interviews`: the caller's interviews (an admin's: everyone's), by candidate
/// and by start time in `[from, to)`.
package struct InterviewQuery: Sendable {
    package var caller: Caller
    package var candidateID: String?
    package var from: Instant?
    package var to: Instant?
    package var limit: Int

    package init(caller: Caller, candidateID: String? = nil, from: Instant? = nil, to: Instant? = nil, limit: Int = 500) {
        self.caller = caller
        self.candidateID = candidateID
        self.from = from
        self.to = to
        self.limit = limit
    }
}

/// The candidate's current invitation: METHOD:REQUEST, or METHOD:CANCEL once cancelled.
package struct InvitationFile: Hashable, Sendable {
    package enum Method: String, Sendable {
        case request = "REQUEST"
        case cancel = "CANCEL"
    }

    package var interviewID: String
    package var method: Method
    package var text: String
}
