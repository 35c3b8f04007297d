/// The candidate's answer to the invitation, as iCalendar's PARTSTAT names it (RFC 5545
/// §3.2.12), in lower case.
package enum CandidateResponse: String, Hashable, Sendable, CaseIterable {
    case needsAction = "needs-action"
    case accepted
    case declined
    case tentative

    /// From a PARTSTAT value (`ACCEPTED`, `DECLINED`, `TENTATIVE`); nil for the others.
    package init?(partstat: String) {
        switch partstat.uppercased() {
        case "ACCEPTED": self = .accepted
        case "DECLINED": self = .declined
        case "TENTATIVE": self = .tentative
        default: return nil
        }
    }
}
