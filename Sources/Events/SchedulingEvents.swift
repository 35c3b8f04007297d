/// A span of time as the catalog writes it: two RFC 3339 timestamps.
public struct TimeSpan: Codable, Hashable, Sendable {
    public var start: String
    public var end: String

    public init(start: String, end: String) {
        self.start = start
        self.end = end
    }
}

/// `scheduling.requested`: asks the calendar service for availability. Keyed by candidateId.
public struct SchedulingRequested: Codable, Hashable, Sendable {
    public static let eventType = "scheduling.requested"

    public var requestId: String
    public var candidateId: String
    public var interviewers: [String]
    /// Minutes.
    public var duration: Int
    public var preferredTimes: [TimeSpan]
    /// IANA zone of the candidate.
    public var timezone: String

    public init(requestId: String, candidateId: String, interviewers: [String], duration: Int, preferredTimes: [TimeSpan], timezone: String) {
        self.requestId = requestId
        self.candidateId = candidateId
        self.interviewers = interviewers
        self.duration = duration
        self.preferredTimes = preferredTimes
        self.timezone = timezone
    }
}

/// `scheduling.availability`: the calendar service's answer, for all interviewers at once or,
/// with `interviewerId`, for one of them.
public struct SchedulingAvailability: Codable, Hashable, Sendable {
    public static let eventType = "scheduling.availability"

    public struct Window: Codable, Hashable, Sendable {
        public var start: String
        public var end: String
        public var available: Bool

        public init(start: String, end: String, available: Bool) {
            self.start = start
            self.end = end
            self.available = available
        }
    }

    public struct Conflict: Codable, Hashable, Sendable {
        public var start: String
        public var end: String
        public var reason: String

        public init(start: String, end: String, reason: String) {
            self.start = start
            self.end = end
            self.reason = reason
        }
    }

    public var requestId: String
    /// Present when the reply covers one interviewer only.
    public var interviewerId: String?
    public var availability: [Window]
    public var conflicts: [Conflict]

    public init(requestId: String, interviewerId: String? = nil, availability: [Window], conflicts: [Conflict]) {
        self.requestId = requestId
        self.interviewerId = interviewerId
        self.availability = availability
        self.conflicts = conflicts
    }
}

/// `scheduling.confirmed`: the interview is booked.
public struct SchedulingConfirmed: Codable, Hashable, Sendable {
    public static let eventType = "scheduling.confirmed"

    public struct MeetingDetails: Codable, Hashable, Sendable {
        public var title: String
        public var location: String
        public var attendees: [String]
        public var description: String

        public init(title: String, location: String, attendees: [String], description: String) {
            self.title = title
            self.location = location
            self.attendees = attendees
            self.description = description
        }
    }

    public var interviewId: String
    public var scheduledAt: String
    public var meetingDetails: MeetingDetails

    public init(interviewId: String, scheduledAt: String, meetingDetails: MeetingDetails) {
        self.interviewId = interviewId
        self.scheduledAt = scheduledAt
        self.meetingDetails = meetingDetails
    }
}
