/// A span of time as the catalog writes it: two RFC 3339 timestamps.
package struct TimeSpan: Codable, Hashable, Sendable {
    package var start: String
    package var end: String

    package init(start: String, end: String) {
        self.start = start
        self.end = end
    }
}

/// `scheduling.requested`: asks the calendar service for availability. Keyed by candidateId.
package struct SchedulingRequested: Codable, Hashable, Sendable {
    package static let eventType = "scheduling.requested"

    package var requestId: String
    package var candidateId: String
    package var interviewers: [String]
    /// Minutes.
    package var duration: Int
    package var preferredTimes: [TimeSpan]
    /// IANA zone of the candidate.
    package var timezone: String

    package init(requestId: String, candidateId: String, interviewers: [String], duration: Int, preferredTimes: [TimeSpan], timezone: String) {
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
package struct SchedulingAvailability: Codable, Hashable, Sendable {
    package static let eventType = "scheduling.availability"

    package struct Window: Codable, Hashable, Sendable {
        package var start: String
        package var end: String
        package var available: Bool

        package init(start: String, end: String, available: Bool) {
            self.start = start
            self.end = end
            self.available = available
        }
    }

    package struct Conflict: Codable, Hashable, Sendable {
        package var start: String
        package var end: String
        package var reason: String

        package init(start: String, end: String, reason: String) {
            self.start = start
            self.end = end
            self.reason = reason
        }
    }

    package var requestId: String
    /// Present when the reply covers one interviewer only.
    package var interviewerId: String?
    package var availability: [Window]
    package var conflicts: [Conflict]

    package init(requestId: String, interviewerId: String? = nil, availability: [Window], conflicts: [Conflict]) {
        self.requestId = requestId
        self.interviewerId = interviewerId
        self.availability = availability
        self.conflicts = conflicts
    }
}

/// `scheduling.confirmed`: the interview is booked.
package struct SchedulingConfirmed: Codable, Hashable, Sendable {
    package static let eventType = "scheduling.confirmed"

    package struct MeetingDetails: Codable, Hashable, Sendable {
        package var title: String
        package var location: String
        package var attendees: [String]
        package var description: String

        package init(title: String, location: String, attendees: [String], description: String) {
            self.title = title
            self.location = location
            self.attendees = attendees
            self.description = description
        }
    }

    package var interviewId: String
    package var scheduledAt: String
    package var meetingDetails: MeetingDetails

    package init(interviewId: String, scheduledAt: String, meetingDetails: MeetingDetails) {
        self.interviewId = interviewId
        self.scheduledAt = scheduledAt
        self.meetingDetails = meetingDetails
    }
}
