/// The three sagas of an interview's life, and a candidate's erasure, as the definitions in
/// `sagas/` name them.
package enum InterviewSagaKind: String, Sendable, CaseIterable {
    case scheduling = "interview-scheduling"
    case cancellation = "interview-cancellation"
    case rescheduling = "interview-rescheduling"
    case erasure = "candidate-erasure"
}

/// How the ids of requests, interviews and their sagas derive from one another.
package enum InterviewIDs {
    /// A scheduling request's id is its saga's id.
    package static func interview(forRequest requestID: String) -> String { "iv-\(requestID)" }

    /// At most one cancellation per request.
    package static func cancellation(ofRequest requestID: String) -> String { "\(requestID):cancel" }

    /// At most one erasure per candidate.
    package static func erasure(ofCandidate candidateID: String) -> String { "erasure:\(candidateID)" }

    /// A new id for each reschedule of the request's interview.
    package static func rescheduling(ofRequest requestID: String, attempt: String) -> String { "\(requestID):reschedule:\(attempt)" }
}
