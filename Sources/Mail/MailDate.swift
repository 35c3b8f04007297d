import Foundation

/// The `Date:` header (RFC 5322 §3.3), in UTC: `Mon, 30 Nov 2026 00:53:20 +0000`.
enum MailDate {
    static func format(_ date: Date) -> String {
        let time = CivilTime(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
        let day = CivilTime.weekdayNames[time.weekday].prefix(3), month = CivilTime.monthNames[time.month - 1].prefix(3)
        return "\(day), \(CivilTime.twoDigits(time.day)) \(month) \(time.year) "
            + "\(CivilTime.twoDigits(time.hour)):\(CivilTime.twoDigits(time.minute)):\(CivilTime.twoDigits(time.second)) +0000"
    }
}
