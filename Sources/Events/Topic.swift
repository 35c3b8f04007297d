/// The topics of the catalog this service produces to or consumes from, with the
/// catalog's partition counts and keys.
package enum Topic: String, CaseIterable, Sendable {
    case schedulingRequested = "enginedge.interview.scheduling.requested"
    case schedulingAvailability = "enginedge.interview.scheduling.availability"
    case schedulingConfirmed = "enginedge.interview.scheduling.confirmed"
    case interviewCreated = "enginedge.interview.interview.created"
    case interviewUpdated = "enginedge.interview.interview.updated"
    case interviewStarted = "enginedge.interview.interview.started"
    case interviewCompleted = "enginedge.interview.interview.completed"
    case interviewCancelled = "enginedge.interview.interview.cancelled"
    case errorOccurred = "enginedge.interview.error.occurred"
    case deadLetter = "enginedge.interview.dlq"

    /// The catalog's `eventType` for the topic's messages; nil for the DLQ, which has no envelope.
    package var eventType: String? {
        switch self {
        case .deadLetter: return nil
        default: return String(rawValue.dropFirst("enginedge.interview.".count))
        }
    }

    /// Scheduling topics: 4 partitions keyed by candidateId; interview topics: 12 keyed by
    /// interviewId. The catalog gives none for the error topic and the DLQ; they get 4.
    package var partitions: Int {
        switch self {
        case .schedulingRequested, .schedulingAvailability, .schedulingConfirmed: return 4
        case .interviewCreated, .interviewUpdated, .interviewStarted, .interviewCompleted, .interviewCancelled: return 12
        case .errorOccurred, .deadLetter: return 4
        }
    }

    /// The catalog's replication factor.
    package static let replicationFactor = 3

    /// The topic whose messages carry `eventType`.
    package init?(eventType: String) {
        guard let topic = Topic.allCases.first(where: { $0.eventType == eventType }) else { return nil }
        self = topic
    }
}
