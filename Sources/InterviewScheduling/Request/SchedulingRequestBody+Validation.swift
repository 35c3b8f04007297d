package import SchedulingCore

extension SchedulingRequestBody {
    /// Checks every field against the limits docs/openapi.yaml states and returns the body with
    /// its timestamps in the form the slot search reads; the error names the first offending
    /// field.
    package func checked(now: Instant) throws(ValidationError) -> SchedulingRequestBody {
        try checkPeople()
        try checkTexts()
        try checkConferencing()
        var body = self
        body.window = try Self.canonical(window, at: "window")
        if let preferredTimes {
            var ranges: [SlotRequest.TimeRange] = []
            for (index, range) in preferredTimes.enumerated() {
                ranges.append(try Self.canonical(range, at: "preferredTimes[\(index)]"))
            }
            body.preferredTimes = ranges
        }
        let query: SlotQuery
        do {
            query = try body.slotRequest(busy: [:]).validated(clock: now)
        } catch {
            throw ValidationError(field: Self.ownField(error.field), reason: error.reason)
        }
        try Self.checkRoomForASlot(query, durationMinutes: durationMinutes)
        return body
    }

    /// The panel's size, the candidate's id, everyone's name and address, no address twice.
    func checkPeople() throws(ValidationError) {
        guard !interviewers.isEmpty, interviewers.count <= Self.maximumInterviewers else {
            throw ValidationError(field: "interviewers", reason: "must list 1 to \(Self.maximumInterviewers) interviewers, got \(interviewers.count)")
        }
        try Self.checkPerson(candidate, at: "candidate")
        guard let candidateID = candidate.id, !candidateID.isEmpty, RequestText.isOneLine(candidateID, maximum: 200) else {
            throw ValidationError(field: "candidate.id", reason: "is required: 1 to 200 characters, one line")
        }
        var seen: Set<String> = [candidate.email.lowercased()]
        for (index, interviewer) in interviewers.enumerated() {
            try Self.checkPerson(interviewer, at: "interviewers[\(index)]")
            try Self.checkLoad(interviewer, at: "interviewers[\(index)]")
            guard seen.insert(interviewer.email.lowercased()).inserted else {
                let reason = interviewer.email.lowercased() == candidate.email.lowercased() ? "is the candidate's address" : "is listed twice"
                throw ValidationError(field: "interviewers[\(index)].email", reason: "\"\(interviewer.email.prefix(80))\" \(reason)")
            }
        }
    }

    /// The limits docs/openapi.yaml states for an interviewer's load.
    static func checkLoad(_ person: Person, at path: String) throws(ValidationError) {
        let limits: [(String, Int?, ClosedRange<Int>)] = [
            ("maxInterviewsPerDay", person.maxInterviewsPerDay, 1...50), ("maxInterviewsPerWeek", person.maxInterviewsPerWeek, 1...200),
            ("minimumGapMinutes", person.minimumGapMinutes, 0...480),
        ]
        for (name, value, range) in limits {
            if let value, !range.contains(value) {
                throw ValidationError(field: "\(path).\(name)", reason: "must be \(range.lowerBound) to \(range.upperBound), got \(value)")
            }
        }
    }

    /// The invitation's texts: one line each but the description, none with a control
    /// character but tab and (in the description) line breaks, and an http(s) meeting URL.
    func checkTexts() throws(ValidationError) {
        for (field, text) in [("title", title), ("location", location), ("meetingUrl", meetingUrl), ("jobId", jobId)] {
            guard let text, !RequestText.isOneLine(text, maximum: Self.maximumTextLength) else { continue }
            throw ValidationError(field: field, reason: "must be at most \(Self.maximumTextLength) characters on one line")
        }
        if let description, description.unicodeScalars.count > Self.maximumTextLength {
            throw ValidationError(field: "description", reason: "is longer than \(Self.maximumTextLength) characters")
        }
        for (field, text) in [("title", title), ("description", description), ("location", location), ("jobId", jobId)] {
            guard let text, let control = text.unicodeScalars.first(where: RequestText.isForbiddenInText) else { continue }
            let hex = String(control.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw ValidationError(
                field: field,
                reason: "holds the control character \(code); only tab\(field == "description" ? " and line breaks are" : " is") allowed")
        }
        if let meetingUrl, !RequestText.isWebURL(meetingUrl) {
            throw ValidationError(field: "meetingUrl", reason: "must be an http(s) URL, got \"\(meetingUrl.prefix(80))\"")
        }
    }

    /// `provider` or `none`; with a fixed `meetingUrl` there is nothing to choose, so asking
    /// for either as well is a contradiction.
    func checkConferencing() throws(ValidationError) {
        guard let conferencing else { return }
        guard conferencing == "provider" || conferencing == "none" else {
            throw ValidationError(
                field: "conferencing",
                reason: "must be \"provider\" or \"none\" (a fixed link goes in meetingUrl), got \"\(conferencing.prefix(80))\"")
        }
        if meetingUrl != nil {
            throw ValidationError(field: "conferencing", reason: "is \"\(conferencing)\" but meetingUrl gives a fixed link; send one or the other")
        }
    }

    /// A window that ends before a slot starting now (on the slot grid) could end is refused
    /// now rather than failing at the search.
    static func checkRoomForASlot(_ query: SlotQuery, durationMinutes: Int) throws(ValidationError) {
        let firstStart = query.grid.firstStart(atOrAfter: query.earliestStart)
        guard firstStart + query.duration > query.window.end else { return }
        if query.window.end <= query.now {
            throw ValidationError(field: "window", reason: "lies in the past: it ends at \(query.window.end), and it is \(query.now) now")
        }
        throw ValidationError(
            field: "window",
            reason: "ends at \(query.window.end), too soon for a \(durationMinutes)-minute interview starting from now (\(query.now)) at the earliest"
        )
    }

    /// The range with both timestamps in the slot search's form.
    static func canonical(_ range: SlotRequest.TimeRange, at field: String) throws(ValidationError) -> SlotRequest.TimeRange {
        var result = range
        result.start = try canonical(range.start, at: "\(field).start")
        result.end = try canonical(range.end, at: "\(field).end")
        return result
    }

    static func canonical(_ text: String, at field: String) throws(ValidationError) -> String {
        guard let canonical = ISO8601.normalized(text, form: .rfc3339) else {
            throw ValidationError(
                field: field,
                reason: "expected an RFC 3339 date-time such as 2026-03-09T14:00:00Z or 2026-03-09T09:00:00-05:00, "
                    + "or a wall-clock time such as 2026-03-09T09:00 read in timeZone; got \"\(text.prefix(80))\"")
        }
        return canonical
    }

    static func checkPerson(_ person: Person, at field: String) throws(ValidationError) {
        guard RequestText.isEmailAddress(person.email) else {
            throw ValidationError(field: "\(field).email", reason: "is not an e-mail address: \"\(person.email.prefix(80))\"")
        }
        let name = person.name.unicodeScalars
        guard !name.isEmpty, name.count <= 200, !name.contains(where: RequestText.isControl) else {
            throw ValidationError(field: "\(field).name", reason: "must be 1 to 200 characters on one line")
        }
    }
}
