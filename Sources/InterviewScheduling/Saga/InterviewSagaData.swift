package import CalendarProviders
package import Events
import SagaCore

/// The data of an `interview-scheduling` saga. The member names are the stored JSON keys, so
/// sagas started by earlier versions read back unchanged.
package struct SchedulingSagaData: Codable, Sendable {
    package var request: SchedulingRequestBody
    /// The recruiter who asked.
    package var owner: String
    /// The saga's own id, which is the request's.
    package var requestId: String
    package var replies: AvailabilityReplies?
    package var slot: SlotTimes?
    package var bookings: [ProviderEventReference]?
    package var interviewId: String?

    package init(request: SchedulingRequestBody, owner: String, requestId: String) {
        self.request = request
        self.owner = owner
        self.requestId = requestId
    }
}

/// The data of an `interview-cancellation` saga: what the booking saga booked, and who
/// cancelled and why.
package struct CancellationSagaData: Codable, Sendable {
    package var request: SchedulingRequestBody
    package var owner: String
    /// The cancelled request (the booking saga's id).
    package var requestId: String
    package var bookings: [ProviderEventReference]?
    package var cancelReason: InterviewCancelled.Reason
    package var cancelledBy: String

    package init(booking: SchedulingSagaData, reason: InterviewCancelled.Reason, by actor: String) {
        request = booking.request
        owner = booking.owner
        requestId = booking.requestId
        bookings = booking.bookings
        cancelReason = reason
        cancelledBy = actor
    }
}

/// The data of an `interview-rescheduling` saga: the request with its new window, where the
/// interview is now, and (once chosen) where it moves.
package struct ReschedulingSagaData: Codable, Sendable {
    package var request: SchedulingRequestBody
    package var owner: String
    /// The request the interview was booked for.
    package var requestId: String
    package var interviewId: String
    package var bookings: [ProviderEventReference]
    package var previousSlot: SlotTimes
    package var previousSequence: Int
    package var slot: SlotTimes?

    package init(interview: InterviewRecord, request: SchedulingRequestBody) {
        self.request = request
        owner = interview.owner
        requestId = interview.requestID
        interviewId = interview.id
        bookings = interview.bookings
        previousSlot = SlotTimes(interview.slot)
        previousSequence = interview.sequence
    }
}

extension StepFailure {
    /// Saga data that no longer reads as its type cannot become readable on a retry.
    static func unreadable(_ error: any Error) -> StepFailure {
        StepFailure(.permanent, "the saga's data cannot be read: \(error)")
    }
}

extension SagaData {
    /// The saga's typed data; a permanent step failure when it does not read.
    func typed<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try decoded(as: type)
        } catch {
            throw StepFailure.unreadable(error)
        }
    }
}
