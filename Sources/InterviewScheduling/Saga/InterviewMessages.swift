import Events
import Foundation
import SagaCore
import SchedulingCore

/// The catalog events the interview sagas publish, as outbox messages with ids derived from
/// the saga, so that a repeated step or compensation writes each message once.
package enum InterviewMessages {
    static func message(
        _ topic: Topic, id: String, key: String, correlation: String, data: some Codable & Sendable, now: Date
    ) throws -> OutboxMessage {
        let envelope = EventEnvelope(
            eventId: id, eventType: topic.eventType ?? topic.rawValue, timestamp: now, data: data,
            metadata: EventMetadata(correlationId: correlation))
        return OutboxMessage(id: id, topic: topic.rawValue, key: key, headers: ["correlationId": correlation], payload: try envelope.encoded())
    }

    static func requested(_ body: SchedulingRequestBody, requestID: String, query: SlotQuery, now: Date) throws -> OutboxMessage {
        let preferred = (query.preferredWindows?.intervals ?? [query.window]).map {
            TimeSpan(start: ISO8601.format($0.start), end: ISO8601.format($0.end))
        }
        let data = SchedulingRequested(
            requestId: requestID, candidateId: body.candidateID, interviewers: body.interviewers.map(\.email),
            duration: body.durationMinutes, preferredTimes: preferred, timezone: body.candidate.timeZone)
        return try message(
            .schedulingRequested, id: "\(requestID):scheduling.requested", key: body.candidateID, correlation: requestID, data: data, now: now)
    }
}
