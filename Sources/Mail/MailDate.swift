import Foundation
import SchedulingCore

/// The `Date:` header (RFC 5322 §3.3), in UTC: `Mon, 30 Nov 2026 00:53:20 +0000`. Calendar
/// arithmetic from the core, not a `DateFormatter` (ICU), which dominated composing a message.
enum MailDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ date: Date) -> String {
        let time = LocalDateTime(localSecondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
        let second = time.secondOfDay
        return "\(time.date.weekday.abbreviation), \(twoDigits(time.date.day)) \(months[time.date.month - 1]) \(time.date.year) "
            + "\(twoDigits(second / 3600)):\(twoDigits(second % 3600 / 60)):\(twoDigits(second % 60)) +0000"
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
