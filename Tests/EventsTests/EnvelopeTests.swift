import Events
import Foundation
import Testing

@Suite("Catalog events as the service writes them")
struct EnvelopeTests {
    @Test func anEnvelopeCarriesTheCatalogsFieldsAndItsCorrelation() throws {
        let cancelled = InterviewCancelled(
            interviewId: "iv-1", cancelledBy: "recruiter@example.com", reason: .candidateNoShow, cancellationTime: "2026-03-09T10:00:00Z")
        let envelope = EventEnvelope(
            eventId: "req-1:interview.cancelled", eventType: try #require(Topic.interviewCancelled.eventType),
            timestamp: Date(timeIntervalSince1970: 0),
            data: cancelled, metadata: EventMetadata(correlationId: "req-1"))
        let object = try #require(try JSONSerialization.jsonObject(with: try envelope.encoded()) as? [String: Any])
        #expect(Set(object.keys) == ["eventId", "eventType", "timestamp", "data", "metadata"])
        #expect(object["eventType"] as? String == "interview.cancelled")
        #expect((object["metadata"] as? [String: Any])?["correlationId"] as? String == "req-1")
        #expect((object["data"] as? [String: Any])?["reason"] as? String == "candidate_no_show")
    }

    @Test func everyCancelReasonIsTheCatalogsSpelling() {
        #expect(InterviewCancelled.Reason.allCases.map(\.rawValue) == ["candidate_no_show", "interviewer_unavailable", "technical_issues"])
    }
}
