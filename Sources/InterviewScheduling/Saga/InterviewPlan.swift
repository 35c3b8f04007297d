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
    static let previousSlotKey = "previousSlot"
    static let previousSequenceKey = "previousSequence"

    func request() throws -> SchedulingRequestBody {
        guard let value = data[Self.requestKey] else { throw StepFailure(.permanent, "the saga has no request") }
        return try value.decoded(as: SchedulingRequestBody.self)
    }

    var owner: String { data[Self.ownerKey]?.stringValue ?? "unknown" }

    func replies() throws -> AvailabilityReplies {
        try data[Self.repliesKey]?.decoded(as: AvailabilityReplies.self) ?? AvailabilityReplies()
    }

    func slot() throws -> Interval {
        try interval(Self.slotKey, "the saga has no chosen slot")
    }

    /// Where the interview was before a reschedule.
    func previousSlot() throws -> Interval {
        try interval(Self.previousSlotKey, "the saga has no previous slot")
    }

    var previousSequence: Int { Int(data[Self.previousSequenceKey]?.numberValue ?? 0) }

    private func interval(_ key: String, _ missing: String) throws -> Interval {
        guard let slot = data[key], let start = slot["start"]?.stringValue.flatMap(ISO8601.instant),
              let end = slot["end"]?.stringValue.flatMap(ISO8601.instant)
        else { throw StepFailure(.permanent, missing) }
        return Interval(start: start, end: end)
    }

    func bookings() throws -> [ProviderEventReference] {
        try data[Self.bookingsKey]?.decoded(as: [ProviderEventReference].self) ?? []
    }

    static func slotValue(_ slot: Interval) -> JSONValue {
        ["start": .string(ISO8601.format(slot.start)), "end": .string(ISO8601.format(slot.end))]
    }
}
