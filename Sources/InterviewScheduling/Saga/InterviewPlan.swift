import CalendarProviders
import Foundation
import SagaCore
import SchedulingCore

/// What the interview saga keeps in its data, read and written through typed accessors.
struct InterviewPlan: Sendable {
    var data: SagaData

    static let requestKey = "request"
    static let ownerKey = "owner"
    static let repliesKey = "replies"
    static let candidatesKey = "candidateSlots"
    static let slotKey = "slot"
    static let bookingsKey = "bookings"
    static let interviewKey = "interviewId"

    func request() throws -> SchedulingRequestBody {
        guard let value = data[Self.requestKey] else { throw StepFailure(.permanent, "the saga has no request") }
        return try value.decoded(as: SchedulingRequestBody.self)
    }

    var owner: String { data[Self.ownerKey]?.stringValue ?? "unknown" }

    func replies() throws -> AvailabilityReplies {
        try data[Self.repliesKey]?.decoded(as: AvailabilityReplies.self) ?? AvailabilityReplies()
    }

    func slot() throws -> Interval {
        guard let slot = data[Self.slotKey], let start = slot["start"]?.stringValue.flatMap(ISO8601.instant),
              let end = slot["end"]?.stringValue.flatMap(ISO8601.instant)
        else { throw StepFailure(.permanent, "the saga has no chosen slot") }
        return Interval(start: start, end: end)
    }

    func bookings() throws -> [ProviderEventReference] {
        try data[Self.bookingsKey]?.decoded(as: [ProviderEventReference].self) ?? []
    }

    static func slotValue(_ slot: Interval) -> JSONValue {
        ["start": .string(ISO8601.format(slot.start)), "end": .string(ISO8601.format(slot.end))]
    }
}
