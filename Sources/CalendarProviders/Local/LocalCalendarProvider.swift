import Foundation
import GRDB
import GroupCommit
import ICalendar
package import SchedulingCore

/// The embedded default provider: events kept in SQLite, each calendar exported as an .ics
/// feed, so that a newcomer can book interviews with no Google or Microsoft account.
///
/// The asynchronous calls (the booking path) wait for the database without holding a thread
/// of Swift's cooperative pool: GRDB runs their work on its own queue. The file keeps SQLite's
/// rollback journal, not a write-ahead log, so that an erased event leaves no copy of its old
/// text behind (`secure_delete` covers the main file; a WAL would keep old pages until a
/// checkpoint). The journal is truncated after each commit rather than deleted: the same
/// nothing-left-behind, without creating and removing a file (and its directory entry) for
/// every booking.
///
/// Concurrent writes (the panels of many requests booked at once) share one transaction, each
/// in its own savepoint: a rollback-journal commit costs several syncs of the disk, and paying
/// them once per batch instead of once per event is what lets bookings keep up under load.
package final class LocalCalendarProvider: CalendarProvider {
    package let name = "local"
    private let database: DatabaseQueue
    private let writes: TransactionBatcher<DatabaseQueue>
    /// Transactions committed so far, to tell how well concurrent writes share them.
    package var committedTransactions: Int { writes.committed }
    /// Writes asked for and not yet answered.
    package var writesUnanswered: Int { writes.unanswered }

    /// Opens (creating if needed) the calendar database at `path`.
    package init(path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        // Several service instances on one machine (the two-instance demo on PostgreSQL) share
        // the file: a write waits for another process's instead of failing at once.
        configuration.busyMode = .timeout(10)
        // A renamed or deleted event leaves no old text in the file (a candidate's erasure).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON; PRAGMA journal_mode = TRUNCATE") }
        database = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: local calendar events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE local_event (
                        id TEXT PRIMARY KEY NOT NULL,
                        calendar TEXT NOT NULL,
                        title TEXT NOT NULL,
                        description TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        end INTEGER NOT NULL,
                        time_zone TEXT NOT NULL,
                        attendees TEXT NOT NULL,
                        location TEXT NOT NULL,
                        meeting_url TEXT,
                        status TEXT NOT NULL,
                        sequence INTEGER NOT NULL
                    );
                    CREATE INDEX local_event_calendar ON local_event(calendar, start);
                    """)
        }
        do {
            try migrator.migrate(database)
        } catch {
            // Instances that share the file and start at once both find it unmigrated; the one
            // that loses fails on what the winner created. GRDB's migrator reads what was
            // applied outside its write, so look again: the winner's migration is recorded now.
            try migrator.migrate(database)
        }
        writes = TransactionBatcher(writer: database, label: "local-calendar.writer")
    }

    /// The event id: the key's UTF-8 bytes in hex, so a repeated create finds the first and
    /// two keys never share an id.
    static func eventID(forKey key: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var id = Array("local-".utf8)
        id.reserveCapacity(id.count + key.utf8.count * 2)
        for byte in key.utf8 { id += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: id, as: UTF8.self)
    }

    package func reference(forIdempotencyKey key: String, in calendar: String) -> ProviderEventReference? {
        ProviderEventReference(provider: name, calendar: calendar.lowercased(), eventID: Self.eventID(forKey: key))
    }

    /// The event's id is derived from the idempotency key, so a repeated create finds the first.
    /// Calendars are e-mail addresses, compared without regard to case.
    package func createEvent(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> ProviderEventReference {
        let calendar = calendar.lowercased()
        let id = Self.eventID(forKey: idempotencyKey)
        let attendees = Self.encode(event.attendees)
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO local_event (id, calendar, title, description, start, end, time_zone, attendees, location, meeting_url, status, sequence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', 0)
                    """
            ).execute(arguments: [
                id, calendar, event.title, event.description, event.start.secondsSinceEpoch, event.end.secondsSinceEpoch,
                event.timeZone, attendees, event.location, event.meetingURL,
            ])
        }
        return ProviderEventReference(provider: name, calendar: calendar, eventID: id)
    }

    package var createsOnlineMeetings: Bool { true }

    /// A stand-in meeting: a link derived from the key, so a retry gets the same one.
    package func createEventWithOnlineMeeting(
        _ event: CalendarEvent, in calendar: String, idempotencyKey: String
    ) async throws(ProviderError) -> OnlineMeetingEvent {
        // FNV-1a of the key: short, and the same for every retry.
        let hash = idempotencyKey.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        let link = "https://meet.scheduler.invalid/" + String(hash, radix: 16)
        var event = event
        event.meetingURL = link
        return OnlineMeetingEvent(reference: try await createEvent(event, in: calendar, idempotencyKey: idempotencyKey), joinURL: link)
    }

    package func updateEvent(_ reference: ProviderEventReference, to event: CalendarEvent) async throws(ProviderError) {
        let changed = try await write { db -> Int in
            try db.cachedStatement(
                sql:
                    "UPDATE local_event SET title = ?, description = ?, start = ?, end = ?, time_zone = ?, attendees = ?, location = ?, meeting_url = ?, sequence = sequence + 1 WHERE id = ? AND status = 'confirmed'"
            ).execute(arguments: [
                event.title, event.description, event.start.secondsSinceEpoch, event.end.secondsSinceEpoch, event.timeZone,
                Self.encode(event.attendees), event.location, event.meetingURL, reference.eventID,
            ])
            return db.changesCount
        }
        guard changed == 1 else {
            throw ProviderError(.rejected, provider: name, status: 404, message: "event \(reference.eventID) does not exist or is cancelled")
        }
    }

    /// Marks the event cancelled; an event already gone or cancelled is fine.
    package func cancelEvent(_ reference: ProviderEventReference, comment: String) async throws(ProviderError) {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE local_event SET status = 'cancelled', sequence = sequence + 1 WHERE id = ? AND status = 'confirmed'")
                .execute(arguments: [reference.eventID])
        }
    }

    /// Removes the event; an event already gone is fine.
    package func deleteEvent(_ reference: ProviderEventReference) async throws(ProviderError) {
        try await write { db in try db.cachedStatement(sql: "DELETE FROM local_event WHERE id = ?").execute(arguments: [reference.eventID]) }
    }

    /// Every calendar's busy time in one read: one turn of the database's queue for the whole panel.
    package func busyTime(of calendars: [String], in window: Interval) async throws(ProviderError) -> [String: IntervalSet] {
        try await read { db in
            var result: [String: IntervalSet] = [:]
            let statement = try db.cachedStatement(
                sql: "SELECT start, end FROM local_event WHERE calendar = ? AND status = 'confirmed' AND start < ? AND end > ?")
            for calendar in calendars {
                let rows = try Row.fetchAll(
                    statement, arguments: [calendar.lowercased(), window.end.secondsSinceEpoch, window.start.secondsSinceEpoch])
                result[calendar] = IntervalSet(
                    rows.map { Interval(start: Instant(secondsSinceEpoch: $0["start"]), end: Instant(secondsSinceEpoch: $0["end"])) })
            }
            return result
        }
    }

    /// Every event of a calendar, cancelled ones included (so subscribers learn of them).
    package func events(of calendar: String) throws(ProviderError) -> [(id: String, event: CalendarEvent, cancelled: Bool, sequence: Int)] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM local_event WHERE calendar = ? ORDER BY start, id"), arguments: [calendar.lowercased()]
            ).map {
                row in
                let attendees = (try? JSONDecoder().decode([StoredAttendee].self, from: Data((row["attendees"] as String).utf8))) ?? []
                let event = CalendarEvent(
                    title: row["title"], description: row["description"], start: Instant(secondsSinceEpoch: row["start"]),
                    end: Instant(secondsSinceEpoch: row["end"]), timeZone: row["time_zone"],
                    attendees: attendees.map { .init(email: $0.email, name: $0.name, optional: $0.optional) },
                    location: row["location"], meetingURL: row["meeting_url"])
                return (row["id"], event, (row["status"] as String) == "cancelled", row["sequence"])
            }
        }
    }

    /// The calendar as an .ics feed (`METHOD:PUBLISH`), cancelled events included.
    package func feed(of calendar: String, stamp: Instant) throws(ProviderError) -> String {
        let events = try events(of: calendar).map { stored in
            CalendarFeedWriter.Event(
                uid: "\(stored.id)@interview-scheduler", sequence: stored.sequence, start: stored.event.start, end: stored.event.end,
                timeZone: stored.event.timeZone, summary: stored.event.title, description: stored.event.description, location: stored.event.location,
                url: stored.event.meetingURL, cancelled: stored.cancelled,
                attendees: stored.event.attendees.map { .init(email: $0.email, name: $0.name, role: $0.optional ? .optional : .required) })
        }
        do {
            return try CalendarFeedWriter.render(name: calendar, events: events, stamp: stamp)
        } catch {
            throw ProviderError(.rejected, provider: name, message: "cannot write the feed of \(calendar): \(error)")
        }
    }

    private struct StoredAttendee: Codable {
        var email: String
        var name: String
        var optional: Bool
    }

    private static func encode(_ attendees: [CalendarEvent.Attendee]) -> String {
        let stored = attendees.map { StoredAttendee(email: $0.email, name: $0.name, optional: $0.optional) }
        return (try? String(decoding: JSONEncoder().encode(stored), as: UTF8.self)) ?? "[]"
    }

    private func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(ProviderError) -> T {
        do {
            return try await writes.submit(work)
        } catch {
            throw ProviderError(.transient, provider: name, message: "local calendar database: \(error)")
        }
    }

    private func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(ProviderError) -> T {
        do {
            return try await database.read(work)
        } catch {
            throw ProviderError(.transient, provider: name, message: "local calendar database: \(error)")
        }
    }

    private func read<T>(_ work: (Database) throws -> T) throws(ProviderError) -> T {
        do {
            return try database.read(work)
        } catch {
            throw ProviderError(.transient, provider: name, message: "local calendar database: \(error)")
        }
    }
}
