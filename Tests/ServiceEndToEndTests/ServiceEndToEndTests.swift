import CalendarProviders
import Events
import Foundation
import InterviewScheduling
import SagaStore
import SchedulerTestScopes
import SchedulerTesting
import SchedulingCore
import Testing

@Suite("The service end to end, with real processes", .serialized, .runsAfterTestWork)
struct ServiceEndToEndTests {
    static let root = BuiltProducts.repositoryRoot

    /// Books a panel where kcat, as a second calendar service, answers for Linus; checks the
    /// confirmation against schemas/, the invitation with Python's icalendar, and the
    /// candidate's e-mails at a real SMTP server (STARTTLS, AUTH); then cancels.
    @Test func bookAndCancelAPanelInterview() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        let smtp = try await SMTPTestServer(tls: true, credentials: ("scheduler", "mail pass"))
        defer { smtp.stop() }
        try system.sendMail(to: smtp, user: "scheduler", password: "mail pass")
        /// The `number`th e-mail the SMTP server was given, once it has arrived, read by Python.
        func mail(_ number: Int) async throws -> ParsedMail {
            try #require(try await eventually(30) { try smtp.received().count >= number }, "e-mail \(number) arrived")
            let received = try smtp.received()[number - 1]
            #expect(received.tls && received.authenticated && received.to == ["ada@candidates.example"])
            return try await ParsedMail.reading(smtp.file(number))
        }
        try await system.startService()
        try system.startResponder()

        let body = ServiceProcesses.panelRequest(extra: [("Linus Torvalds", "linus@elsewhere.example", "Europe/Lisbon")])
        let accepted = try await system.request(
            "POST", "/api/v1/scheduling-requests", body: body, headers: ["Idempotency-Key": "e2e-1", "Content-Type": "application/json"])
        #expect(accepted.status == 202)
        let requestID = try #require(accepted.json["requestId"] as? String)
        #expect(accepted.headers["location"] == "/api/v1/scheduling-requests/\(requestID)")
        let replay = try await system.request("POST", "/api/v1/scheduling-requests", body: body, headers: ["Idempotency-Key": "e2e-1"])
        #expect(replay.status == 202 && replay.json["requestId"] as? String == requestID, "the same key and body answer as the first time")
        let clash = try await system.request("POST", "/api/v1/scheduling-requests", body: body + " ", headers: ["Idempotency-Key": "e2e-1"])
        #expect(clash.status == 422 && clash.headers["content-type"] == "application/problem+json")

        // kcat sees the request and answers for Linus: busy at 15:00–16:00 UTC on the first three days.
        #expect(
            try await eventually(30) {
                try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.scheduling.requested", "-e", "-q"]).standardOutput
                    .contains(requestID)
            })
        let busyDays = (1...3).map { ISO8601DateFormatter().string(from: Date().addingTimeInterval(Double($0) * 86_400)).prefix(10) }
        let conflicts = busyDays.map { #"{"start":"\#($0)T15:00:00Z","end":"\#($0)T16:00:00Z","reason":"Team meeting"}"# }.joined(separator: ",")
        let reply =
            #"{"eventId":"kcat-linus-1","eventType":"scheduling.availability","timestamp":"2026-11-23T10:00:00Z","data":{"requestId":"\#(requestID)","interviewerId":"linus@elsewhere.example","availability":[],"conflicts":[\#(conflicts)]},"metadata":{"service":"other-calendar-service","version":"2.0"},"somethingNew":true}"#
        let produced = try await run(
            "kcat",
            [
                "-b", system.bootstrap, "-P", "-t", "enginedge.interview.scheduling.availability", "-k", "cand-ada", "-X",
                "partitioner=murmur2_random",
            ], input: reply + "\n")
        #expect(produced.status == 0, "\(produced.standardError)")

        let status = try await system.waitForState(requestID, ["confirmed", "failed", "needs-operator"])
        try #require(status["state"] as? String == "confirmed", "\(status)")
        let slot = try #require(status["slot"] as? [String: String])
        let start = try #require(slot["start"].flatMap(ISO8601.instant))
        #expect(!busyDays.contains { ISO8601.format(start) == "\($0)T15:00:00Z" }, "Linus's conflicts are respected")
        let interviewID = try #require(status["interviewId"] as? String)
        // Each step's duration under its own name (the slot choice's, not the step after it).
        let metrics = try await system.request("GET", "/metrics", authorized: false).text
        #expect(
            metrics.contains(#"step="choose-slot",phase="action",outcome="success""#),
            "\(metrics.split(separator: "\n").filter { $0.contains("step_duration") })")

        // scheduling.confirmed on Kafka, valid against schemas/.
        var line: Substring?
        _ = try await eventually(30) {
            let confirmed = try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.scheduling.confirmed", "-e", "-q"])
            line = confirmed.standardOutput.split(separator: "\n").first { $0.contains(interviewID) }
            return line != nil
        }
        let message = try #require(line)
        let validation = try await run(
            "python3", [Self.root.appendingPathComponent("scripts/validate_events.py").path, "-"], input: String(message) + "\n")
        #expect(validation.status == 0, "\(validation.standardOutput)\(validation.standardError)")

        // The invitation, read by Python's icalendar.
        let invite = try await system.get("/api/v1/interviews/\(interviewID)/invite.ics")
        #expect(invite.status == 200 && invite.headers["content-type"]?.contains("method=REQUEST") == true)
        let parsed = try await parseInvitation(invite.text, in: system.directory)
        #expect(parsed == ["REQUEST", ISO8601.format(start), "4"], "method, start, the candidate and three interviewers")
        // The same invitation, mailed to the candidate (iMIP).
        let invitationMail = try await mail(1)
        #expect(invitationMail.calendar?.method == "REQUEST" && invitationMail.calendar?.sequence == 0)
        #expect(invitationMail.calendar?.uid.hasPrefix(interviewID) == true)
        #expect(invitationMail.calendar.flatMap { ISO8601DateFormatter().date(from: $0.start) }.map { Instant($0) } == start)
        #expect(invitationMail.text?.contains("Linus Torvalds") == true)

        // Three interviewers booked on the local provider.
        let calendars = try LocalCalendarProvider(path: system.directory.path("data/calendars.sqlite"))
        let slotInterval = Interval(start: start, end: Instant(secondsSinceEpoch: start.secondsSinceEpoch + 3600))
        let people = ["grace@example.com", "alan@example.com", "linus@elsewhere.example"]
        #expect(try await calendars.busyTime(of: people, in: slotInterval).values.allSatisfy { $0.intervals == [slotInterval] })

        // Reschedule to the following week: events moved, SEQUENCE 1, interview.updated with old and new.
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(9 * 86_400))
        let latest = ISO8601DateFormatter().string(from: Date().addingTimeInterval(16 * 86_400))
        let moved = try await system.request(
            "POST", "/api/v1/interviews/\(interviewID)/reschedule", body: #"{"window": {"start": "\#(later)", "end": "\#(latest)"}}"#)
        #expect(moved.status == 202, "\(moved.text)")
        var newStart: Instant?
        #expect(
            try await eventually(30) {
                let shown = try await system.get("/api/v1/interviews/\(interviewID)").json
                newStart = (shown["start"] as? String).flatMap(ISO8601.instant)
                return shown["sequence"] as? Int == 1
            })
        let rescheduled = try #require(newStart)
        #expect(rescheduled >= (try #require(ISO8601.instant(later))), "inside the new window")
        let newInterval = Interval(start: rescheduled, end: Instant(secondsSinceEpoch: rescheduled.secondsSinceEpoch + 3600))
        #expect(try await calendars.busyTime(of: people, in: newInterval).values.allSatisfy { $0.intervals == [newInterval] })
        #expect(try await calendars.busyTime(of: people, in: slotInterval).values.allSatisfy { $0.intervals.isEmpty })
        #expect(
            try await parseInvitation(try await system.get("/api/v1/interviews/\(interviewID)/invite.ics").text, in: system.directory)[1]
                == ISO8601.format(rescheduled))
        let updateMail = try await mail(2)
        #expect(updateMail.calendar?.sequence == 1)
        #expect(updateMail.calendar.flatMap { ISO8601DateFormatter().date(from: $0.start) }.map { Instant($0) } == rescheduled)
        #expect(
            try await eventually(30) {
                let updated = try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.interview.updated", "-e", "-q"])
                    .standardOutput
                return updated.contains(interviewID) && updated.contains(#""old":"\#(EventTimestamp.format(start))""#)
            })

        // Cancel: provider events gone, a CANCEL produced, interview.cancelled published.
        let cancel = try await system.request("POST", "/api/v1/scheduling-requests/\(requestID)/cancel", body: #"{"reason":"candidate_no_show"}"#)
        #expect(cancel.status == 202)
        _ = try await system.waitForState(requestID, ["cancelled"])
        #expect(try await eventually(30) { try await calendars.busyTime(of: people, in: newInterval).values.allSatisfy { $0.intervals.isEmpty } })
        let cancelInvite = try await system.get("/api/v1/interviews/\(interviewID)/invite.ics")
        #expect(try await parseInvitation(cancelInvite.text, in: system.directory).first == "CANCEL")
        let cancelMail = try await mail(3)
        #expect(cancelMail.calendar?.method == "CANCEL" && cancelMail.calendar?.sequence == 2)
        #expect(Set(try smtp.received().map(\.messageId)).count == 3, "three versions, each sent once")
        #expect(
            try await eventually(30) {
                try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.interview.cancelled", "-e", "-q"]).standardOutput
                    .contains(interviewID)
            })
        let again = try await system.request("POST", "/api/v1/scheduling-requests/\(requestID)/cancel", body: "{}")
        #expect(again.status == 409)

        // Erase the candidate: admins only; afterwards none of their bytes is in the database files.
        let erasure = "/api/v1/candidates/cand-ada/erasure"
        #expect(try await system.request("POST", erasure).status == 403, "a recruiter may not erase")
        let admin = ["Authorization": "Bearer \(try await system.token(subject: "dpo@example.com", role: "admin"))"]
        #expect(try await system.request("POST", erasure, body: "{}", headers: admin, authorized: false).status == 202)
        #expect(
            try await eventually(60) {
                try await system.request("GET", erasure, headers: admin, authorized: false).json["state"] as? String == "completed"
            })
        let files = try FileManager.default.contentsOfDirectory(atPath: system.directory.path("data")).filter { $0.hasPrefix("sagas.sqlite") }
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: system.directory.path("data/\(file)")))
            #expect(bytes.range(of: Data("Ada Lovelace".utf8)) == nil && bytes.range(of: Data("ada@candidates.example".utf8)) == nil, "\(file)")
        }

        // The rest of the API, then every exchange checked against docs/openapi.yaml.
        let listed = try await system.get("/api/v1/interviews?candidateId=cand-ada&from=\(ISO8601.format(Instant(secondsSinceEpoch: 0)))")
        #expect((listed.json["interviews"] as? [Any])?.count == 1)
        #expect(try await system.get("/api/v1/interviews?from=yesterday").json["field"] as? String == "from")
        #expect(
            try await system.request(
                "POST", "/api/v1/interviews/\(interviewID)/reschedule", body: #"{"window": {"start": "\#(later)", "end": "\#(latest)"}}"#
            ).status == 409)
        for path in ["/health", "/health/live", "/health/ready", "/metrics"] {
            #expect(try await system.request("GET", path, authorized: false).status == 200)
        }
        #expect(try await system.get("/api/v1/interviews/iv-unknown").status == 404)
        // One database holds the saga state and the service's records (no interviews.sqlite).
        #expect(!FileManager.default.fileExists(atPath: system.directory.path("data/interviews.sqlite")))
        let database = try ServiceDatabase.open(path: system.directory.path("data/sagas.sqlite"))
        func audit(_ target: String) async throws -> [AuditEntry] {
            try await database.read { db in try InterviewRecords.auditLog(target: target, in: db) }
        }
        #expect(try await audit(requestID).map(\.action) == ["scheduling-request.create", "scheduling-request.cancel"])
        #expect(try await audit(interviewID).map { "\($0.actor) \($0.action)" } == ["recruiter@example.com interview.reschedule"])
        let exchanges = system.recordedExchanges
        let conformance = try await run(
            "python3", [Self.root.appendingPathComponent("scripts/check_api_responses.py").path, "--require-all", "-"], input: exchanges)
        #expect(conformance.status == 0, "\(conformance.standardOutput)\(conformance.standardError)")
    }

    /// SIGKILL at random moments of the saga, then a restart: booked exactly once. The four
    /// requests share a panel, so they look three weeks ahead: one week can hold fewer than
    /// four free hours once the feeds' meetings are counted, depending on the time of day.
    @Test func aKilledServiceBooksExactlyOnceAfterRestart() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        try await system.startService()
        try system.startResponder()
        var requestIDs: [String] = []
        for (round, delay) in [40, 120, 250, 400].enumerated() {
            let accepted = try await system.request(
                "POST", "/api/v1/scheduling-requests", body: ServiceProcesses.panelRequest(candidate: "cand-\(round)", days: 21))
            requestIDs.append(try #require(accepted.json["requestId"] as? String))
            try await Task.sleep(for: .milliseconds(delay))
            await system.service?.kill()
            try await system.startService()
        }
        for requestID in requestIDs {
            let status = try await system.waitForState(requestID, ["confirmed", "failed", "needs-operator"])
            #expect(status["state"] as? String == "confirmed", "\(requestID): \(status["error"] ?? "")")
        }
        let calendars = try LocalCalendarProvider(path: system.directory.path("data/calendars.sqlite"))
        for person in ["grace@example.com", "alan@example.com"] {
            let events = try calendars.events(of: person)
            #expect(events.count == requestIDs.count, "\(person): one event per request, none twice")
            #expect(events.allSatisfy { !$0.cancelled })
        }
        let service = try #require(system.service)
        let status = await service.stop()
        #expect(status == 0, "SIGTERM shuts the service down cleanly; it \(service.ending(status))")
    }

    /// Three `serve` processes on one data directory booked people twice (the per-saga lock is
    /// in-process). A second one now refuses to start, naming the first's pid; once the first
    /// has gone (even by SIGKILL) the lock is free again.
    @Test func aSecondServiceOnTheSameDatabaseRefusesToStart() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        try await system.startService()
        let first = try #require(system.service)
        var environment = ProcessInfo.processInfo.environment.merging(system.environment) { _, new in new }
        environment["SCHEDULER_PORT"] = "\(try FreePort.next())"
        let second = try await ChildProcess(executable: BuiltProducts.executable("scheduler"), arguments: ["serve"], environment: environment).run()
        #expect(second.status != 0)
        #expect(second.standardError.contains("pid \(first.process.processIdentifier)"), "\(second.standardError)")
        #expect(try await system.get("/health/ready").status == 200, "the first runs on")

        await first.kill()
        try await system.startService()
        #expect(try await system.get("/health/ready").status == 200, "a successor starts once the holder is gone")
    }

    @Test func badInputIsAProblemNamingTheField() async throws {
        let system = try await ServiceProcesses()
        afterTest { await system.stopAll() }
        try await system.startService()
        let zone = ServiceProcesses.panelRequest().replacingOccurrences(of: "America/New_York", with: "Mars/Olympus_Mons")
        let answer = try await system.request("POST", "/api/v1/scheduling-requests", body: zone)
        #expect(answer.status == 400 && answer.headers["content-type"] == "application/problem+json")
        #expect(answer.json["field"] as? String == "interviewers[0].timeZone")
        let crlf = ServiceProcesses.panelRequest().replacingOccurrences(of: "Alan Turing", with: #"Alan\r\nATTENDEE:mailto:evil@example.com"#)
        #expect(try await system.request("POST", "/api/v1/scheduling-requests", body: crlf).json["field"] as? String == "interviewers[1].name")
        let huge = try await system.request("POST", "/api/v1/scheduling-requests", body: String(repeating: " ", count: 300_000) + "{}")
        #expect(huge.status == 413)
        #expect(try await system.request("GET", "/api/v1/interviews", authorized: false).status == 401)
        #expect(try await system.get("/api/v1/scheduling-requests/req-nope").status == 404)
        // A malformed availability message from Kafka goes to the DLQ with the field named.
        let poison =
            #"{"eventId":"poison-1","eventType":"scheduling.availability","timestamp":"2026-11-23T10:00:00Z","data":{"availability":[],"conflicts":[]}}"#
        _ = try await run(
            "kcat", ["-b", system.bootstrap, "-P", "-t", "enginedge.interview.scheduling.availability", "-k", "cand-x"], input: poison + "\n")
        #expect(
            try await eventually(30) {
                try await run("kcat", ["-b", system.bootstrap, "-C", "-t", "enginedge.interview.dlq", "-e", "-q"]).standardOutput.contains(
                    "data.requestId")
            })
        let metrics = try await system.request("GET", "/metrics", authorized: false)
        #expect(metrics.status == 200 && metrics.text.contains("interview_outbox_backlog"))
        #expect(try await eventually(20) { try await system.request("GET", "/metrics", authorized: false).text.contains("interview_consumer_lag{") })

        // Roles: a recruiter sees only their own requests; an admin sees every one.
        let accepted = try await system.request("POST", "/api/v1/scheduling-requests", body: ServiceProcesses.panelRequest())
        let requestID = try #require(accepted.json["requestId"] as? String)
        let other = try await system.token(subject: "someone-else@example.com", role: "recruiter")
        let admin = try await system.token(subject: "ops@example.com", role: "admin")
        let asOther = try await system.request(
            "GET", "/api/v1/scheduling-requests/\(requestID)", headers: ["Authorization": "Bearer " + other], authorized: false)
        #expect(asOther.status == 404)
        let asAdmin = try await system.request(
            "GET", "/api/v1/scheduling-requests/\(requestID)", headers: ["Authorization": "Bearer " + admin], authorized: false)
        #expect(asAdmin.status == 200)
    }

    /// Method, DTSTART in UTC and the number of attendees, as Python's icalendar reads them.
    func parseInvitation(_ text: String, in directory: TemporaryDirectory) async throws -> [String] {
        let file = directory.path("invite-\(UUID().uuidString.prefix(6)).ics")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let script = """
            import sys, datetime, icalendar
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            event = next(c for c in cal.walk() if c.name == 'VEVENT')
            start = event.decoded('DTSTART').astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
            attendees = event.get('ATTENDEE'); attendees = attendees if isinstance(attendees, list) else [attendees]
            print(str(cal['METHOD'])); print(start); print(len(attendees))
            """
        let result = try await run("python3", ["-c", script, file])
        try #require(result.status == 0, "\(result.standardError)")
        return result.standardOutput.split(separator: "\n").map(String.init)
    }
}
