public import Foundation

/// Someone who must attend: an interviewer or the candidate.
public struct Participant: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, Codable {
        case interviewer, candidate
    }

    /// A stable identifier, usually an e-mail address.
    public let id: String
    public let role: Role
    /// The IANA zone the person's working hours are read in.
    public let timeZone: TimeZone
    /// When the person works; nil means no working-hours constraint (e.g. a candidate who
    /// gave preferred windows instead).
    public let workingHours: WorkingHours?
    /// Time already taken, as instants.
    public let busy: IntervalSet

    public init(id: String, role: Role, timeZone: TimeZone, workingHours: WorkingHours?, busy: IntervalSet) {
        self.id = id
        self.role = role
        self.timeZone = timeZone
        self.workingHours = workingHours
        self.busy = busy
    }
}
