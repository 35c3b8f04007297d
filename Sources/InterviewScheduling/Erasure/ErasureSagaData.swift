/// The erasure saga's data: whom to erase, and what was done, as counts only (the saga's
/// own data must not keep what it erases).
package struct ErasureSagaData: Codable, Hashable, Sendable {
    package var candidateId: String
    package var requestedBy: String
    package var cancelFutureInterviews: Bool
    /// Set by `erasure.scrubRecords`.
    package var sagasErased: Int?
    package var interviewsErased: Int?
    /// Set by `erasure.scrubCalendars`.
    package var calendarEventsErased: Int?

    package init(candidateId: String, requestedBy: String, cancelFutureInterviews: Bool) {
        self.candidateId = candidateId
        self.requestedBy = requestedBy
        self.cancelFutureInterviews = cancelFutureInterviews
    }
}
