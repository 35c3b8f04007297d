package import Foundation

/// Makes the personal link in the candidate's e-mail: a page for one interview that only the
/// link's holder can open, until it expires. The HTTP edge signs it; the mail only carries it.
package protocol CandidatePageLinks: Sendable {
    /// The page of `interviewID`, valid until `expiry`.
    func link(forInterview interviewID: String, expiring expiry: Date) async -> String?
}
