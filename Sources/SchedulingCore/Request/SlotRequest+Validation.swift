public import Foundation

extension SlotRequest {
    /// The largest inputs a search accepts.
    public enum Limits {
        public static let maximumWindow: Duration = .seconds(366 * 86_400)
        public static let maximumParticipants = 200
        public static let maximumBusyIntervals = 1_000_000
        public static let maximumDurationMinutes = 24 * 60
    }

    /// Decodes a request from JSON, reporting the offending field on failure.
    public static func decode(from data: Data) throws(ValidationError) -> SlotRequest {
        do {
            return try JSONDecoder().decode(SlotRequest.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError(error)
        } catch {
            throw ValidationError(field: "", reason: "not valid JSON (\(error))")
        }
    }

    /// Checks every field and resolves times and zones into a `SlotQuery`.
    /// - Parameter clock: the present, used when the request has no `now`.
    public func validated(clock: Instant) throws(ValidationError) -> SlotQuery {
        var reader = FieldReader()
        let defaultZone = try timeZone.map { zone throws(ValidationError) in try reader.zone(zone, at: "timeZone") }

        guard durationMinutes > 0 else {
            throw ValidationError(field: "durationMinutes", reason: "must be positive, got \(durationMinutes)")
        }
        guard durationMinutes <= Limits.maximumDurationMinutes else {
            throw ValidationError(
                field: "durationMinutes", reason: "must be at most \(Limits.maximumDurationMinutes) (24 hours), got \(durationMinutes)")
        }
        let duration = Duration.seconds(Int64(durationMinutes) * 60)

        let window = try reader.interval(self.window, defaultZone: defaultZone, at: "window")
        guard !window.isEmpty else {
            throw ValidationError(field: "window.end", reason: "must be after window.start (\(window.start)), got \(window.end)")
        }
        guard window.duration <= Limits.maximumWindow else {
            throw ValidationError(field: "window", reason: "spans \(window.duration.seconds / 86_400) days; at most 366 are allowed")
        }
        guard duration <= window.duration else {
            throw ValidationError(
                field: "durationMinutes", reason: "\(durationMinutes) minutes do not fit in the \(window.duration.minutes)-minute window")
        }

        let now = try self.now.map { text throws(ValidationError) in try reader.instant(text, at: "now") } ?? clock
        let notice = try reader.minutes(minimumNoticeMinutes, at: "minimumNoticeMinutes", maximum: 366 * 24 * 60)
        let bufferBefore = try reader.minutes(bufferBeforeMinutes, at: "bufferBeforeMinutes", maximum: 24 * 60)
        let bufferAfter = try reader.minutes(bufferAfterMinutes, at: "bufferAfterMinutes", maximum: 24 * 60)
        let grid = try reader.grid(alignment)
        let ranking = try reader.ranking(ranking)
        if let limit, limit < 1 {
            throw ValidationError(field: "limit", reason: "must be at least 1, got \(limit)")
        }

        let preferred = try preferredWindows.map { windows throws(ValidationError) in
            var intervals: [Interval] = []
            for (index, range) in windows.enumerated() {
                intervals.append(try reader.interval(range, defaultZone: defaultZone, at: "preferredWindows[\(index)]"))
            }
            return IntervalSet(intervals)
        }

        let participants = try reader.participants(participants)
        return SlotQuery(
            duration: duration, window: window, now: now, minimumNotice: notice,
            bufferBefore: bufferBefore, bufferAfter: bufferAfter, grid: grid, ranking: ranking,
            limit: limit, preferredWindows: preferred, participants: participants)
    }
}

/// Turns the request's strings into domain values, naming the field on every failure.
private struct FieldReader {
    private var zones: [String: TimeZone] = [:]

    mutating func zone(_ identifier: String, at field: String) throws(ValidationError) -> TimeZone {
        if let cached = zones[identifier] { return cached }
        guard let zone = IANATimeZone.named(identifier) else {
            throw ValidationError(field: field, reason: "unknown time zone \"\(identifier)\"; expected an IANA name such as Europe/London")
        }
        zones[identifier] = zone
        return zone
    }

    func instant(_ text: String, at field: String) throws(ValidationError) -> Instant {
        guard let instant = ISO8601.instant(text) else {
            throw ValidationError(field: field, reason: "expected a UTC instant like 2026-03-09T14:00:00Z, got \"\(text)\"")
        }
        return instant
    }

    /// A timestamp that is an instant, or a wall-clock time in `zone`.
    func instant(_ text: String, zone: TimeZone?, at field: String) throws(ValidationError) -> Instant {
        switch ISO8601.timestamp(text) {
        case .instant(let instant)?:
            return instant
        case .local(let local)?:
            guard let zone else {
                throw ValidationError(field: field, reason: "\"\(text)\" has no offset and no timeZone applies; add Z, an offset, or a timeZone")
            }
            return zone.instant(for: local)
        case nil:
            throw ValidationError(
                field: field, reason: "expected an ISO 8601 date-time like 2026-03-09T14:00:00Z or 2026-03-09T09:00, got \"\(text)\"")
        }
    }

    mutating func interval(_ range: SlotRequest.TimeRange, defaultZone: TimeZone?, at field: String) throws(ValidationError) -> Interval {
        let zone = try range.timeZone.map { id throws(ValidationError) in try self.zone(id, at: "\(field).timeZone") } ?? defaultZone
        let start = try instant(range.start, zone: zone, at: "\(field).start")
        let end = try instant(range.end, zone: zone, at: "\(field).end")
        guard let interval = Interval(checkedStart: start, end: end) else {
            throw ValidationError(field: "\(field).end", reason: "\(end) is before start \(start)")
        }
        return interval
    }

    func minutes(_ value: Int?, at field: String, maximum: Int) throws(ValidationError) -> Duration {
        guard let value else { return .zero }
        guard (0...maximum).contains(value) else {
            throw ValidationError(field: field, reason: "must be between 0 and \(maximum), got \(value)")
        }
        return .seconds(Int64(value) * 60)
    }

    mutating func grid(_ alignment: SlotRequest.Alignment?) throws(ValidationError) -> SlotGrid {
        let minutes = alignment?.minutes ?? 15
        let zone =
            try alignment?.timeZone.map { id throws(ValidationError) in try self.zone(id, at: "alignment.timeZone") }
            ?? TimeZone(secondsFromGMT: 0) ?? .current
        guard (1...1440).contains(minutes), let grid = SlotGrid(step: .seconds(Int64(minutes) * 60), zone: zone) else {
            throw ValidationError(
                field: "alignment.minutes", reason: "must be a positive divisor of 1440 (a day), such as 5, 15, 30 or 60; got \(minutes)")
        }
        return grid
    }

    func ranking(_ name: String?) throws(ValidationError) -> SlotRanking {
        guard let name else { return .earliest }
        guard let ranking = SlotRanking(rawValue: name) else {
            let known = SlotRanking.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(field: "ranking", reason: "unknown ranking \"\(name)\"; expected one of \(known)")
        }
        return ranking
    }

    mutating func participants(_ requests: [SlotRequest.Participant]) throws(ValidationError) -> [Participant] {
        guard !requests.isEmpty else {
            throw ValidationError(field: "participants", reason: "at least one participant is required")
        }
        guard requests.count <= SlotRequest.Limits.maximumParticipants else {
            throw ValidationError(
                field: "participants", reason: "\(requests.count) participants; at most \(SlotRequest.Limits.maximumParticipants) are allowed")
        }
        let busyCount = requests.reduce(0) { $0 + ($1.busy?.count ?? 0) }
        guard busyCount <= SlotRequest.Limits.maximumBusyIntervals else {
            throw ValidationError(
                field: "participants[].busy",
                reason: "\(busyCount) busy intervals in all; at most \(SlotRequest.Limits.maximumBusyIntervals) are allowed")
        }
        var seen = Set<String>()
        var participants: [Participant] = []
        for (index, request) in requests.enumerated() {
            let field = "participants[\(index)]"
            guard !request.id.isEmpty else {
                throw ValidationError(field: "\(field).id", reason: "must not be empty")
            }
            guard seen.insert(request.id).inserted else {
                throw ValidationError(field: "\(field).id", reason: "\"\(request.id)\" appears more than once")
            }
            let role = try self.role(request.role, at: "\(field).role")
            let zone = try self.zone(request.timeZone, at: "\(field).timeZone")
            let hours = try workingHours(request, at: field)
            var busy: [Interval] = []
            busy.reserveCapacity(request.busy?.count ?? 0)
            for (busyIndex, range) in (request.busy ?? []).enumerated() {
                busy.append(try interval(range, defaultZone: zone, at: "\(field).busy[\(busyIndex)]"))
            }
            participants.append(Participant(id: request.id, role: role, timeZone: zone, workingHours: hours, busy: IntervalSet(busy)))
        }
        return participants
    }

    private func role(_ name: String?, at field: String) throws(ValidationError) -> Participant.Role {
        guard let name else { return .interviewer }
        guard let role = Participant.Role(rawValue: name) else {
            throw ValidationError(field: field, reason: "unknown role \"\(name)\"; expected interviewer or candidate")
        }
        return role
    }

    private func workingHours(_ request: SlotRequest.Participant, at field: String) throws(ValidationError) -> WorkingHours? {
        guard let weeklyRequest = request.workingHours else {
            guard request.overrides == nil else {
                throw ValidationError(field: "\(field).overrides", reason: "overrides need workingHours to override")
            }
            return nil
        }
        var weekly: [Weekday: [LocalTimeRange]] = [:]
        for (name, ranges) in weeklyRequest {
            guard let weekday = Weekday(rawValue: name) else {
                throw ValidationError(field: "\(field).workingHours.\(name)", reason: "unknown weekday; expected monday, tuesday, … sunday")
            }
            weekly[weekday] = try self.ranges(ranges, at: "\(field).workingHours.\(name)")
        }
        var overrides: [LocalDate: WorkingHours.Override] = [:]
        for (index, override) in (request.overrides ?? []).enumerated() {
            let at = "\(field).overrides[\(index)]"
            guard let date = ISO8601.date(override.date) else {
                throw ValidationError(field: "\(at).date", reason: "expected a date like 2026-03-09, got \"\(override.date)\"")
            }
            guard overrides[date] == nil else {
                throw ValidationError(field: "\(at).date", reason: "\(date) is overridden more than once")
            }
            switch (override.off ?? false, override.hours, override.extra) {
            case (true, nil, nil):
                overrides[date] = .dayOff
            case (false, let hours?, nil):
                overrides[date] = .replace(try ranges(hours, at: "\(at).hours"))
            case (false, nil, let extra?):
                overrides[date] = .extra(try ranges(extra, at: "\(at).extra"))
            default:
                throw ValidationError(field: at, reason: "give exactly one of \"off\": true, \"hours\" or \"extra\"")
            }
        }
        return WorkingHours(weekly: weekly, overrides: overrides)
    }

    private func ranges(_ ranges: [SlotRequest.HoursRange], at field: String) throws(ValidationError) -> [LocalTimeRange] {
        var result: [LocalTimeRange] = []
        for (index, range) in ranges.enumerated() {
            let at = "\(field)[\(index)]"
            guard let start = LocalTime(parsing: range.start), start.secondOfDay < 86_400 else {
                throw ValidationError(field: "\(at).start", reason: "expected a time like 09:00, got \"\(range.start)\"")
            }
            guard let end = LocalTime(parsing: range.end) else {
                throw ValidationError(field: "\(at).end", reason: "expected a time like 17:30 (or 24:00), got \"\(range.end)\"")
            }
            guard let localRange = LocalTimeRange(start: start, end: end) else {
                throw ValidationError(field: at, reason: "\(range.start)–\(range.end) is empty")
            }
            result.append(localRange)
        }
        return result
    }
}
