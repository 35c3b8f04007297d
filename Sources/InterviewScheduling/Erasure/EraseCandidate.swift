/// `POST /api/v1/candidates/{id}/erasure` (admins only).
package struct EraseCandidate: Sendable {
    package var caller: Caller
    package var candidateID: String
    /// Cancel the candidate's confirmed interviews that have not ended, and stop their requests
    /// still being scheduled, before erasing (default). Otherwise they stay booked, without
    /// the candidate's name.
    package var cancelFutureInterviews: Bool

    package init(caller: Caller, candidateID: String, cancelFutureInterviews: Bool = true) {
        self.caller = caller
        self.candidateID = candidateID
        self.cancelFutureInterviews = cancelFutureInterviews
    }
}

/// Where an erasure stands: the same answer however often it is asked for.
package struct ErasureStatus: Hashable, Sendable {
    package enum State: String, Sendable {
        case running, completed, failed
    }

    package var candidateID: String
    package var erasureID: String
    package var state: State
    package var sagasErased: Int?
    package var interviewsErased: Int?
    package var calendarEventsErased: Int?
    package var error: String?
}
