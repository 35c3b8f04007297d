package import SchedulingCore

/// Interviewer time the service has claimed for one interview.
package struct TimeReservation: Hashable, Sendable {
    package enum Kind: String, Hashable, Sendable {
        /// Claimed by a saga that is still running.
        case held
        /// The interview is confirmed.
        case booked
    }

    /// The interviewer's lower-cased e-mail.
    package var interviewer: String
    /// The interview with the interviewer's buffers around it.
    package var interval: Interval
    /// When the interview itself starts: what the daily and weekly caps count.
    package var slotStart: Instant
    /// The saga that claimed it.
    package var sagaID: String
    package var interviewID: String
    package var kind: Kind
}

/// Who claims time: a saga, for an interview.
package struct ReservationHolder: Hashable, Sendable {
    package var sagaID: String
    package var interviewID: String

    package init(sagaID: String, interviewID: String) {
        self.sagaID = sagaID
        self.interviewID = interviewID
    }
}

/// One interviewer's time to hold.
package struct TimeClaim: Hashable, Sendable {
    package var interviewer: String
    package var interval: Interval
    package var slotStart: Instant

    package init(interviewer: String, interval: Interval, slotStart: Instant) {
        self.interviewer = interviewer.lowercased()
        self.interval = interval
        self.slotStart = slotStart
    }
}
