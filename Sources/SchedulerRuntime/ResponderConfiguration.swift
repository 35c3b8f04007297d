import Foundation
import Yams

/// `responder.yaml`: where the availability responder reads each interviewer's busy time.
///
/// ```yaml
/// interviewers:
///   grace@example.com: { feed: ical-samples/feeds/grace.ics, timeZone: America/New_York }
///   alan@example.com:  { feed: https://calendar.example/alan.ics }
///   linus@acme.example: { calendarAccount: true }   # Google freeBusy / Graph getSchedule via `calendars`
/// calendars: calendars.yaml
/// ```
/// `"*"` stands for every interviewer not listed; without it, those are left for another
/// calendar service to answer.
package struct ResponderConfiguration: Codable, Sendable {
    package struct Source: Codable, Sendable {
        /// An .ics file path or an http(s) URL.
        package var feed: String?
        /// The zone all-day events are read in; default UTC.
        package var timeZone: String?
        /// Ask the interviewer's calendar account (from `calendars`) instead.
        package var calendarAccount: Bool?

        package init(feed: String? = nil, timeZone: String? = nil, calendarAccount: Bool? = nil) {
            self.feed = feed
            self.timeZone = timeZone
            self.calendarAccount = calendarAccount
        }

        /// Where the busy time comes from, for the log.
        var summary: String {
            if calendarAccount == true { return "calendar account" }
            if let feed { return "feed \(feed)" }
            return "none: working hours only, no busy time (embedded default)"
        }
    }

    package var interviewers: [String: Source]
    package var calendars: String?

    /// The three sample feeds of `ical-samples/` (see its README). With `answeringEveryone`
    /// (embedded mode) anyone else is answered too, with no busy time, so that a newcomer's
    /// own addresses can be booked within their working hours.
    package static func samples(directory: String, answeringEveryone: Bool = false) -> ResponderConfiguration {
        let feeds = URL(fileURLWithPath: directory).appendingPathComponent("feeds")
        var interviewers = [
            "grace@example.com": Source(feed: feeds.appendingPathComponent("grace.ics").path, timeZone: "America/New_York"),
            "alan@example.com": Source(feed: feeds.appendingPathComponent("alan.ics").path, timeZone: "Europe/London"),
            "raman@example.com": Source(feed: feeds.appendingPathComponent("raman.ics").path, timeZone: "Asia/Kolkata"),
        ]
        if answeringEveryone { interviewers["*"] = Source() }
        return ResponderConfiguration(interviewers: interviewers, calendars: nil)
    }

    package init(interviewers: [String: Source], calendars: String?) {
        self.interviewers = interviewers
        self.calendars = calendars
    }

    package init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ResponderError("\(path): cannot be read") }
        do {
            self = try YAMLDecoder().decode(ResponderConfiguration.self, from: String(decoding: data, as: UTF8.self))
        } catch {
            throw ResponderError("\(path): \(error)")
        }
        for (email, source) in interviewers where (source.feed == nil) == (source.calendarAccount != true) {
            throw ResponderError("\(path): interviewers.\(email): give either feed or calendarAccount: true")
        }
    }
}

/// A configuration problem of the responder.
package struct ResponderError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
