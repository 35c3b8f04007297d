/// `interview.created`. Keyed by interviewId.
public struct InterviewCreated: Codable, Hashable, Sendable {
    public static let eventType = "interview.created"

    public var interviewId: String
    public var candidateId: String
    public var jobId: String
    public var scheduledAt: String
    /// Minutes.
    public var duration: Int
    public var interviewers: [String]
    /// `technical`, `behavioral` or `system`.
    public var type: String
    /// `video`, `audio` or `text`.
    public var format: String
    /// Required for video interviews.
    public var meetingUrl: String?

    public init(interviewId: String, candidateId: String, jobId: String, scheduledAt: String, duration: Int, interviewers: [String], type: String, format: String, meetingUrl: String?) {
        self.interviewId = interviewId
        self.candidateId = candidateId
        self.jobId = jobId
        self.scheduledAt = scheduledAt
        self.duration = duration
        self.interviewers = interviewers
        self.type = type
        self.format = format
        self.meetingUrl = meetingUrl
    }
}

/// `interview.updated`: what changed, old and new.
public struct InterviewUpdated: Codable, Hashable, Sendable {
    public static let eventType = "interview.updated"

    public struct Change: Codable, Hashable, Sendable {
        public var old: String
        public var new: String

        public init(old: String, new: String) {
            self.old = old
            self.new = new
        }
    }

    public var interviewId: String
    public var changes: [String: Change]

    public init(interviewId: String, changes: [String: Change]) {
        self.interviewId = interviewId
        self.changes = changes
    }
}

/// `interview.cancelled`, with a reason from the catalog's list.
public struct InterviewCancelled: Codable, Hashable, Sendable {
    public static let eventType = "interview.cancelled"

    public enum Reason: String, Codable, Hashable, Sendable, CaseIterable {
        case candidateNoShow = "candidate_no_show"
        case interviewerUnavailable = "interviewer_unavailable"
        case technicalIssues = "technical_issues"
    }

    public var interviewId: String
    public var cancelledBy: String
    public var reason: Reason
    public var cancellationTime: String

    public init(interviewId: String, cancelledBy: String, reason: Reason, cancellationTime: String) {
        self.interviewId = interviewId
        self.cancelledBy = cancelledBy
        self.reason = reason
        self.cancellationTime = cancellationTime
    }
}

/// `error.occurred`: something went wrong that monitoring should see.
public struct ErrorOccurred: Codable, Hashable, Sendable {
    public static let eventType = "error.occurred"

    public struct Details: Codable, Hashable, Sendable {
        public var code: String
        public var message: String
        public var stack: String?
        public var context: [String: String]?

        public init(code: String, message: String, stack: String? = nil, context: [String: String]? = nil) {
            self.code = code
            self.message = message
            self.stack = stack
            self.context = context
        }
    }

    public struct AffectedEntities: Codable, Hashable, Sendable {
        public var interviewId: String?
        public var candidateId: String?

        public init(interviewId: String? = nil, candidateId: String? = nil) {
            self.interviewId = interviewId
            self.candidateId = candidateId
        }
    }

    public var errorId: String
    /// `transcription`, `analysis`, `scheduling` or `database`.
    public var component: String
    /// `low`, `medium`, `high` or `critical`.
    public var severity: String
    public var error: Details
    public var affectedEntities: AffectedEntities

    public init(errorId: String, component: String, severity: String, error: Details, affectedEntities: AffectedEntities) {
        self.errorId = errorId
        self.component = component
        self.severity = severity
        self.error = error
        self.affectedEntities = affectedEntities
    }
}
