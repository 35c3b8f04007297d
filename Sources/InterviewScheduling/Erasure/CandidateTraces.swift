import CalendarProviders
import Foundation
package import SagaCore
import SchedulingCore

/// What the database holds of one candidate, read in one transaction: their erasures, their
/// scheduling requests with every saga under them (cancellations, reschedules), the requests'
/// interviews and the e-mails about them. Either backend reads it; what the erasure and its
/// use case conclude from it is worked out here, once.
package struct CandidateTraces: Sendable {
    /// The candidate's erasures, oldest first.
    package var erasures: [SagaInstance]
    /// The candidate's scheduling requests, oldest first.
    package var requests: [SagaInstance]
    /// The requests and every saga whose id extends one of theirs (`<request>:…`), each
    /// request followed by its own, oldest first.
    package var sagas: [SagaInstance]
    /// The interviews of the requests.
    package var interviews: [InterviewRecord]
    /// The candidate's e-mails about those interviews.
    package var mail: [MailOutbox.Entry]

    package init(
        erasures: [SagaInstance], requests: [SagaInstance], sagas: [SagaInstance], interviews: [InterviewRecord], mail: [MailOutbox.Entry]
    ) {
        self.erasures = erasures
        self.requests = requests
        self.sagas = sagas
        self.interviews = interviews
        self.mail = mail
    }

    var requestIDs: [String] { requests.map(\.id) }
    var sagaIDs: [String] { sagas.map(\.id) }

    /// The latest erasure, if any.
    var latestErasure: SagaInstance? { erasures.last }

    /// The id of an erasure that has not finished, if any.
    var unsettledErasure: String? { erasures.first { !$0.status.isSettled }?.id }

    /// Whether a request started after `instant`.
    func hasRequests(since instant: Date) -> Bool { requests.contains { $0.createdAt > instant } }

    /// The requests' sagas that have not settled (running, waiting, compensating).
    var unsettledSagas: [String] { sagas.filter { !$0.status.isSettled }.map(\.id) }

    /// E-mails to the candidate that are about to go: being sent, or queued and not yet
    /// tried. One the relay has had refused already may wait for hours; the erasure does not
    /// wait for it, and deletes it.
    var unsentMail: Int { mail.filter { $0.status == .sending || ($0.status == .pending && $0.attempts == 0) }.count }

    /// Whether a request is being stopped or cancelled, or is over: its saga is being undone
    /// or ended undone, or its cancellation runs or ran.
    func isStoppingOrStopped(_ requestID: String) -> Bool {
        if let request = sagas.first(where: { $0.id == requestID }), [.compensating, .compensated, .failed].contains(request.status) {
            return true
        }
        guard let cancellation = sagas.first(where: { $0.id == InterviewIDs.cancellation(ofRequest: requestID) }) else { return false }
        return [.running, .waiting, .completed].contains(cancellation.status)
    }

    /// The candidate's name and address as their requests gave them (they may differ between requests).
    var redactions: [Redaction] {
        requests.map { instance in
            let candidate = instance.data["request"]?["candidate"]
            return Redaction(name: candidate?["name"]?.stringValue, email: candidate?["email"]?.stringValue)
        }
    }

    /// The calendar events of the candidate's confirmed interviews, with their times, and
    /// every other event their sagas recorded (bookings of cancelled interviews, of requests
    /// stopped after booking, of reschedules).
    var calendarEvents: (live: [(ProviderEventReference, Interval)], others: Set<ProviderEventReference>) {
        var live: [(ProviderEventReference, Interval)] = []
        var others = Set<ProviderEventReference>()
        for request in requests {
            guard let interview = interviews.first(where: { $0.requestID == request.id }) else { continue }
            if interview.status == .confirmed {
                live += interview.bookings.map { ($0, interview.slot) }
            } else {
                others.formUnion(interview.bookings)
            }
        }
        for saga in sagas {
            guard let bookings = saga.data["bookings"] else { continue }
            others.formUnion((try? bookings.decoded(as: [ProviderEventReference].self)) ?? [])
        }
        return (live, others)
    }

    /// The interviewers of each request, by request id.
    var interviewers: [(String, [String])] {
        requests.compactMap { instance in
            guard let people = instance.data["request"]?["interviewers"]?.arrayValue else { return nil }
            return (instance.id, people.compactMap { $0["email"]?.stringValue })
        }
    }
}

/// What an erasure's transaction removed.
package struct ErasureCounts: Sendable, Hashable {
    package var requests: Int
    package var sagas: Int
    package var interviews: Int
}
