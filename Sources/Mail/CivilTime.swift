/// A moment's calendar fields on a wall clock `offset` seconds from UTC, by arithmetic on the
/// proleptic Gregorian calendar (days from civil, as in Howard Hinnant's `chrono` algorithms):
/// no formatter and no ICU, which dominated composing a message when each date was formatted
/// with a fresh `DateFormatter`.
package struct CivilTime: Hashable, Sendable {
    package var year: Int
    /// 1–12.
    package var month: Int
    package var day: Int
    /// 0 = Sunday … 6 = Saturday.
    package var weekday: Int
    package var hour: Int
    package var minute: Int
    package var second: Int

    package static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    package static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// The fields of `secondsSinceEpoch` (UTC) on a clock `offset` seconds ahead of UTC.
    package init(secondsSinceEpoch: Int64, offset: Int = 0) {
        let local = secondsSinceEpoch + Int64(offset)
        var days = local / 86_400
        var seconds = local % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        hour = Int(seconds / 3600)
        minute = Int(seconds % 3600 / 60)
        second = Int(seconds % 60)
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
    }

    package static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
