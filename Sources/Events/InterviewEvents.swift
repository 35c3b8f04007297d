/// `interview.created`. Keyed by interviewId.
package struct InterviewCreated: Codable, Hashable, Sendable {
    package static let eventType = "interview.created"

    package var interviewId: String
    package var candidateId: String
    package var jobId: String
    package var scheduledAt: String
    /// Minutes.
    package var duration: Int
    package var interviewers: [String]
    /// `technical`, `behavioral` or `system`.
    package var type: String
    /// `video`, `audio` or `text`.
    package var format: String
    /// Required for video interviews.
    package var meetingUrl: String?

    package init(
        interviewId: String, candidateId: String, jobId: String, scheduledAt: String, duration: Int, interviewers: [String], type: String,
        format: String, meetingUrl: String?
    ) {
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
package struct InterviewUpdated: Codable, Hashable, Sendable {
    package static let eventType = "interview.updated"

    package struct Change: Codable, Hashable, Sendable {
        package var old: String
        package var new: String

        package init(old: String, new: String) {
            self.old = old
            self.new = new
        }
    }

    package var interviewId: String
    package var changes: [String: Change]

    package init(interviewId: String, changes: [String: Change]) {
        self.interviewId = interviewId
        self.changes = changes
    }
}

/// `interview.cancelled`, with a reason from the catalog's list.
package struct InterviewCancelled: Codable, Hashable, Sendable {
    package static let eventType = "interview.cancelled"

    package enum Reason: String, Codable, Hashable, Sendable, CaseIterable {
        case candidateNoShow = "candidate_no_show"
        case interviewerUnavailable = "interviewer_unavailable"
        case technicalIssues = "technical_issues"
    }

    package var interviewId: String
    package var cancelledBy: String
    package var reason: Reason
    package var cancellationTime: String

    package init(interviewId: String, cancelledBy: String, reason: Reason, cancellationTime: String) {
        self.interviewId = interviewId
        self.cancelledBy = cancelledBy
        self.reason = reason
        self.cancellationTime = cancellationTime
    }
}

/// `error.occurred`: something went wrong that monitoring should see.
package struct ErrorOccurred: Codable, Hashable, Sendable {
    package static let eventType = "error.occurred"

    package struct Details: Codable, Hashable, Sendable {
        package var code: String
        package var message: String
        package var stack: String?
        package var context: [String: String]?

        package init(code: String, message: String, stack: String? = nil, context: [String: String]? = nil) {
            self.code = code
            self.message = message
            self.stack = stack
            self.context = context
        }
    }

    package struct AffectedEntities: Codable, Hashable, Sendable {
        package var interviewId: String?
        package var candidateId: String?

        package init(interviewId: String? = nil, candidateId: String? = nil) {
            self.interviewId = interviewId
            self.candidateId = candidateId
        }
    }

    package var errorId: String
    /// `transcription`, `analysis`, `scheduling` or `database`.
    package var component: String
    /// `low`, `medium`, `high` or `critical`.
    package var severity: String
    package var error: Details
    package var affectedEntities: AffectedEntities

    package init(errorId: String, component: String, severity: String, error: Details, affectedEntities: AffectedEntities) {
        self.errorId = errorId
        self.component = component
        self.severity = severity
        self.error = error
        self.affectedEntities = affectedEntities
    }
}
