package import SchedulingCore

/// What the candidate's page shows about their interview: nothing that is not theirs to see.
package struct CandidatePageView: Hashable, Sendable {
    package var interviewID: String
    package var title: String
    package var candidateName: String
    /// The candidate's zone, in which every time is shown.
    package var timeZone: String
    package var slot: Interval
    /// `Tuesday, 1 December 2026, 14:00–15:00 (Europe/Berlin, UTC+01:00)`.
    package var when: String
    package var panel: [String]
    package var meetingURL: String?
    package var location: String?
    package var cancelled: Bool
    package var response: CandidateResponse
    /// The invitation's version the page shows; its answers are to this version.
    package var sequence: Int
    /// The recruiter's window, as dates (`yyyy-MM-dd`) in the candidate's zone: where
    /// "another time" may be asked for.
    package var offeredFrom: String
    package var offeredTo: String
    /// A new time is being looked for.
    package var rescheduling: Bool
}
