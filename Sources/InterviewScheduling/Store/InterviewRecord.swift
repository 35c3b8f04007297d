package import CalendarProviders
package import SchedulingCore

/// One booked (or cancelled) interview with the candidate's current invitation.
package struct InterviewRecord: Hashable, Sendable {
    package enum Status: String, Hashable, Sendable {
        case confirmed, cancelled
    }

    package var id: String
    package var requestID: String
    package var candidateID: String
    package var owner: String
    package var slot: Interval
    package var status: Status
    /// The invitation's SEQUENCE: 0 when booked, one more for each change.
    package var sequence: Int
    /// The METHOD:REQUEST .ics as last issued.
    package var inviteRequest: String
    /// The METHOD:CANCEL .ics, once cancelled.
    package var inviteCancel: String?
    /// The event on each interviewer's calendar.
    package var bookings: [ProviderEventReference]
    package var createdAt: Int64
    /// The candidate's answer: `needs-action` until they give one.
    package var candidateResponse: CandidateResponse = .needsAction
    /// How the candidate's e-mail of the latest version fares; filled in where an interview
    /// is shown on its own (not a column).
    package var invitationDelivery: InvitationDelivery? = nil

    package init(
        id: String, requestID: String, candidateID: String, owner: String, slot: Interval, status: Status, sequence: Int, inviteRequest: String,
        inviteCancel: String?, bookings: [ProviderEventReference], createdAt: Int64, candidateResponse: CandidateResponse = .needsAction
    ) {
        self.id = id
        self.requestID = requestID
        self.candidateID = candidateID
        self.owner = owner
        self.slot = slot
        self.status = status
        self.sequence = sequence
        self.inviteRequest = inviteRequest
        self.inviteCancel = inviteCancel
        self.bookings = bookings
        self.createdAt = createdAt
        self.candidateResponse = candidateResponse
    }
}

/// One state-changing call, as the audit log keeps it.
package struct AuditEntry: Hashable, Sendable {
    package var actor: String
    package var action: String
    package var target: String
    package var detail: String
    package var at: Int64

    package init(actor: String, action: String, target: String, detail: String, at: Int64) {
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
        self.at = at
    }
}
