import CalendarProviders
import Foundation
import Hummingbird
import HummingbirdTesting
import InterviewScheduling
import NIOFoundationEssentialsCompat
import SagaCore
import SagaEngine
import SagaStore
import SchedulerTesting
import Testing

/// The meeting link: made by the first interviewer's calendar (here the local provider's
/// stand-in) and given to everyone, or none, or the recruiter's fixed link.
@Suite struct ConferencingTests {
    /// Confirms a request with `change` applied; returns its interview's id and every place
    /// the link should be: each calendar event, the invitation, the e-mail, both events.
    static func links(
        _ fixture: APIFixture, _ client: some TestClientProtocol, _ change: @escaping (inout [String: Any]) -> Void
    ) async throws
        -> (events: [String?], invitation: String, created: String?, confirmed: String?, mail: String?)
    {
        let body = try APIFixture.request {
            $0["interviewers"] = [
                ["name": "Grace Hopper", "email": "grace@example.com", "timeZone": "America/New_York"],
                ["name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"],
            ]
            change(&$0)
        }
        let accepted = try await fixture.send(client, .post, "/api/v1/scheduling-requests", body: body)
        let requestID = try #require(accepted.json["requestId"] as? String, "\(accepted.json)")
        try await fixture.confirm(requestID)
        let interviewID = InterviewIDs.interview(forRequest: requestID)
        #expect(try await fixture.send(client, .get, "/api/v1/scheduling-requests/\(requestID)").json["state"] as? String == "confirmed")
        let local = try LocalCalendarProvider(path: fixture.directory.path("calendars.sqlite"))
        let key = requestID.utf8.map { String(format: "%02x", $0) }.joined()
        let stored = try ["grace@example.com", "alan@example.com"].flatMap { calendar in
            try local.events(of: calendar).filter { $0.id.contains(key) }.map(\.event)
        }
        // Unfolded (RFC 5545 §3.1): the local link is longer than one line.
        let invitation = String(buffer: try await fixture.send(client, .get, "/api/v1/interviews/\(interviewID)/invite.ics").body)
            .replacingOccurrences(of: "\r\n ", with: "")
        let messages = try await fixture.store.outbox(sagaID: requestID)
        func payload(_ topic: String) -> String? {
            messages.first { $0.message.topic == topic }.map { String(decoding: $0.message.payload, as: UTF8.self) }
        }
        try await fixture.mail.deliverDue()
        let mailFile = fixture.directory.url.appendingPathComponent("mail/\(interviewID).0.request@interview-scheduler.invalid.eml")
        let mail = try await ParsedMail.reading(mailFile)
        return (
            stored.map(\.meetingURL), invitation, payload("enginedge.interview.interview.created"),
            payload("enginedge.interview.scheduling.confirmed"), mail.text
        )
    }

    @Test func byDefaultTheHostsCalendarMakesTheMeetingAndEveryoneGetsItsLink() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let found = try await Self.links(fixture, client) { _ in }
            let link = try #require(found.events.first ?? nil)
            #expect(link.hasPrefix("https://meet.scheduler.invalid/"))
            #expect(found.events == [link, link], "both interviewers' events carry the one meeting")
            #expect(found.invitation.contains("URL:\(link)") && found.invitation.contains("LOCATION:\(link)"))
            #expect(
                found.created?.contains(#""meetingUrl":"\#(link.replacingOccurrences(of: "/", with: "\\/"))""#) == true
                    || found.created?.contains(#""meetingUrl":"\#(link)""#) == true, "\(found.created ?? "")")
            #expect(found.created?.contains(#""format":"video""#) == true)
            #expect(found.confirmed?.contains(link) == true || found.confirmed?.contains(link.replacingOccurrences(of: "/", with: "\\/")) == true)
            #expect(found.mail?.contains("Join: \(link)") == true)
        }
    }

    @Test func noneMeansNoLinkAndAFixedLinkIsUsedAsGiven() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let none = try await Self.links(fixture, client) { $0["conferencing"] = "none" }
            #expect(none.events == [nil, nil])
            #expect(!none.invitation.contains("URL:"))
            #expect(none.created?.contains(#""format":"audio""#) == true)
            let fixed = try await Self.links(fixture, client) { $0["meetingUrl"] = "https://meet.example/fixed" }
            #expect(fixed.events == ["https://meet.example/fixed", "https://meet.example/fixed"])
            #expect(fixed.invitation.contains("URL:https://meet.example/fixed"))
        }
    }

    @Test(arguments: [["conferencing": "zoom"], ["conferencing": "provider", "meetingUrl": "https://meet.example/x"]])
    func contradictionsAreRefusedNamingTheField(extra: [String: String]) async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            let answer = try await fixture.send(
                client, .post, "/api/v1/scheduling-requests",
                body: try APIFixture.request { body in
                    for (key, value) in extra { body[key] = value }
                })
            #expect(answer.status == .badRequest)
            #expect(answer.json["field"] as? String == "conferencing", "\(answer.json)")
        }
    }
}
