/// The JSON form of a slot search, as `scheduler slots --request FILE` and the API read it.
///
/// Durations are whole minutes. Timestamps are ISO 8601: with `Z` or an offset they are
/// instants; without, they are wall-clock times read in the entry's `timeZone`, else the
/// participant's zone (busy time), else the request's `timeZone`. Unknown fields are ignored.
public struct SlotRequest: Codable, Hashable, Sendable {
    /// A span given as two timestamps.
    public struct TimeRange: Codable, Hashable, Sendable {
        public var start: String
        public var end: String
        public var timeZone: String?

        public init(start: String, end: String, timeZone: String? = nil) {
            self.start = start
            self.end = end
            self.timeZone = timeZone
        }
    }

    /// A wall-clock range, `"09:00"`–`"17:30"`; an end before the start runs past midnight.
    public struct HoursRange: Codable, Hashable, Sendable {
        public var start: String
        public var end: String

        public init(start: String, end: String) {
            self.start = start
            self.end = end
        }
    }

    /// One date that departs from the weekly hours: `off`, or `hours` instead, or `extra` hours.
    public struct DateOverride: Codable, Hashable, Sendable {
        public var date: String
        public var off: Bool?
        public var hours: [HoursRange]?
        public var extra: [HoursRange]?

        public init(date: String, off: Bool? = nil, hours: [HoursRange]? = nil, extra: [HoursRange]? = nil) {
            self.date = date
            self.off = off
            self.hours = hours
            self.extra = extra
        }
    }

    public struct Alignment: Codable, Hashable, Sendable {
        public var minutes: Int
        public var timeZone: String?

        public init(minutes: Int, timeZone: String? = nil) {
            self.minutes = minutes
            self.timeZone = timeZone
        }
    }

    public struct Participant: Codable, Hashable, Sendable {
        public var id: String
        /// `interviewer` (default) or `candidate`.
        public var role: String?
        public var timeZone: String
        /// Keys `monday` … `sunday`; absent means no working-hours constraint.
        public var workingHours: [String: [HoursRange]]?
        public var overrides: [DateOverride]?
        public var busy: [TimeRange]?
        /// .ics feeds (paths, relative to the request file) whose busy time is added; read by
        /// the command line, not by this pure module.
        public var busyFeeds: [String]?

        public init(
            id: String, role: String? = nil, timeZone: String, workingHours: [String: [HoursRange]]? = nil,
            overrides: [DateOverride]? = nil, busy: [TimeRange]? = nil, busyFeeds: [String]? = nil
        ) {
            self.busyFeeds = busyFeeds
            self.id = id
            self.role = role
            self.timeZone = timeZone
            self.workingHours = workingHours
            self.overrides = overrides
            self.busy = busy
        }
    }

    public var durationMinutes: Int
    public var window: TimeRange
    /// Default zone for wall-clock timestamps in `window` and `preferredWindows`.
    public var timeZone: String?
    /// The present; defaults to the real clock.
    public var now: String?
    public var minimumNoticeMinutes: Int?
    public var bufferBeforeMinutes: Int?
    public var bufferAfterMinutes: Int?
    /// Default: every 15 minutes, aligned in UTC.
    public var alignment: Alignment?
    /// `earliest` (default) or `humane`.
    public var ranking: String?
    public var limit: Int?
    public var preferredWindows: [TimeRange]?
    public var participants: [Participant]

    public init(
        durationMinutes: Int, window: TimeRange, timeZone: String? = nil, now: String? = nil,
        minimumNoticeMinutes: Int? = nil, bufferBeforeMinutes: Int? = nil, bufferAfterMinutes: Int? = nil,
        alignment: Alignment? = nil, ranking: String? = nil, limit: Int? = nil,
        preferredWindows: [TimeRange]? = nil, participants: [Participant]
    ) {
        self.durationMinutes = durationMinutes
        self.window = window
        self.timeZone = timeZone
        self.now = now
        self.minimumNoticeMinutes = minimumNoticeMinutes
        self.bufferBeforeMinutes = bufferBeforeMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
        self.alignment = alignment
        self.ranking = ranking
        self.limit = limit
        self.preferredWindows = preferredWindows
        self.participants = participants
    }
}
