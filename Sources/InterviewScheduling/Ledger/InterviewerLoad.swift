import Foundation
import SchedulingCore

/// How much one interviewer may be booked: caps per day and per week of their own zone,
/// and a minimum gap between two interviews. A request's values win over the service's.
package struct InterviewerLoad: Hashable, Sendable {
    package var maxPerDay: Int?
    package var maxPerWeek: Int?
    package var minimumGapMinutes: Int?

    package init(maxPerDay: Int? = nil, maxPerWeek: Int? = nil, minimumGapMinutes: Int? = nil) {
        self.maxPerDay = maxPerDay
        self.maxPerWeek = maxPerWeek
        self.minimumGapMinutes = minimumGapMinutes
    }

    /// No caps, no gap.
    package static let unlimited = InterviewerLoad()

    /// The interviewer's own limits over `defaults`.
    package func overriding(with person: SchedulingRequestBody.Person) -> InterviewerLoad {
        InterviewerLoad(
            maxPerDay: person.maxInterviewsPerDay ?? maxPerDay, maxPerWeek: person.maxInterviewsPerWeek ?? maxPerWeek,
            minimumGapMinutes: person.minimumGapMinutes ?? minimumGapMinutes)
    }
}

/// One interviewer's reserved time as the slot search sees it: reservations (widened by the
/// gap) and whole days and weeks that are full.
struct InterviewerCommitments {
    /// Why a stretch of time is closed to a slot.
    enum Closure: Hashable {
        case dailyCapReached(day: LocalDate, count: Int)
        case weeklyCapReached(weekOf: LocalDate, count: Int)
    }

    var busy: [Interval]
    var closures: [(Closure, Interval)]

    init(reservations: [TimeReservation], load: InterviewerLoad, zone: TimeZone) {
        let gap = Duration.seconds(60 * Int64(load.minimumGapMinutes ?? 0))
        busy = reservations.map { Interval(start: $0.interval.start - gap, end: $0.interval.end + gap) }
        closures = []
        let days = Dictionary(grouping: reservations) { zone.localDateTime(at: $0.slotStart).date }
        // Interviews, not reservations: one being rescheduled holds its old and its new time.
        func interviews(_ reservations: [TimeReservation]) -> Int { Set(reservations.map(\.interviewID)).count }
        if let cap = load.maxPerDay {
            for (day, held) in days where interviews(held) >= cap {
                closures.append((.dailyCapReached(day: day, count: interviews(held)), Self.span(from: day, days: 1, in: zone)))
            }
        }
        if let cap = load.maxPerWeek {
            let weeks = Dictionary(grouping: reservations) { Self.monday(of: zone.localDateTime(at: $0.slotStart).date) }
            for (monday, held) in weeks where interviews(held) >= cap {
                closures.append((.weeklyCapReached(weekOf: monday, count: interviews(held)), Self.span(from: monday, days: 7, in: zone)))
            }
        }
    }

    /// The instants from local midnight of `day` to local midnight `days` later.
    static func span(from day: LocalDate, days: Int64, in zone: TimeZone) -> Interval {
        let start = zone.instant(for: LocalDateTime(localSecondsSinceEpoch: day.daysSinceEpoch * 86_400))
        let end = zone.instant(for: LocalDateTime(localSecondsSinceEpoch: day.adding(days: days).daysSinceEpoch * 86_400))
        return Interval(start: start, end: end)
    }

    static func monday(of day: LocalDate) -> LocalDate {
        // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
        let sinceMonday = ((day.daysSinceEpoch + 3) % 7 + 7) % 7
        return day.adding(days: -sinceMonday)
    }
}
