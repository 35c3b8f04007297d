import ArgumentParser
import Foundation
import ICalendar
import SchedulingCore

/// `scheduler ics …`: invitations and feeds.
struct ICSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ics",
        abstract: "Write iCalendar invitations, read busy time from feeds, check .ics files.",
        subcommands: [Invite.self, Busy.self, Check.self]
    )

    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an iTIP invitation (REQUEST or CANCEL) for an interview.")
        @Option(help: "The interview, as JSON (see docs/ics.md).") var interview: String
        @Option(help: "request or cancel.") var method: String = "request"

        func run() throws {
            guard let method = Invitation.Method(rawValue: method) else {
                throw CommandFailure("--method must be request or cancel, got \"\(method)\"")
            }
            let data = try readFile(interview)
            do {
                let request = try JSONDecoder().decode(InvitationRequest.self, from: data)
                let text = try request.invitation(method: method, now: Instant(Date())).render()
                FileHandle.standardOutput.write(Data(text.utf8))
            } catch let error as DecodingError {
                throw CommandFailure("invalid interview: \(ValidationError(error))")
            } catch {
                throw CommandFailure("invalid interview: \(error)")
            }
        }
    }

    struct Busy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the busy intervals of a feed within a window.")
        @Argument(help: "The .ics feed.") var feed: String
        @Option(help: "Window start, e.g. 2026-03-01T00:00:00Z.") var from: String
        @Option(help: "Window end.") var to: String
        @Option(help: "The owner's IANA zone, for floating times and all-day events.") var zone = "UTC"
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard let start = ISO8601.instant(from) else { throw CommandFailure("--from: expected a UTC instant, got \"\(from)\"") }
            guard let end = ISO8601.instant(to), start < end else { throw CommandFailure("--to: expected a UTC instant after --from, got \"\(to)\"") }
            guard let owner = IANATimeZone.named(zone) else { throw CommandFailure("--zone: unknown time zone \"\(zone)\"") }
            do {
                let document = try ICalendarDocument(bytes: Array(try readFile(feed)))
                let busy = try BusyTimeReader(ownerZone: owner).busyTime(in: document, window: Interval(start: start, end: end))
                if json {
                    let spans = busy.intervals.map { ["start": $0.start.description, "end": $0.end.description] }
                    FileHandle.standardOutput.write(
                        try JSONSerialization.data(
                            withJSONObject: ["busy": spans, "unknownTimeZones": busy.unknownTimeZones], options: [.sortedKeys]))
                    print("")
                } else {
                    for interval in busy.intervals { print("\(interval.start)  \(interval.end)") }
                }
                for tzid in busy.unknownTimeZones {
                    FileHandle.standardError.write(Data("warning: unknown TZID \"\(tzid)\"; read in \(zone)\n".utf8))
                }
            } catch let error as ICalendarError {
                throw CommandFailure("\(feed): \(error)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse a .ics file and report its problems.")
        @Argument(help: "The .ics file.") var file: String

        func run() throws {
            do {
                let document = try ICalendarDocument(bytes: Array(try readFile(file)))
                print("\(file): ok\(document.method.map { ", METHOD:\($0)" } ?? "")")
                for warning in document.warnings { print("warning: \(warning)") }
            } catch let error as ICalendarError {
                throw CommandFailure("\(file): \(error)")
            }
        }
    }
}

func readFile(_ path: String) throws -> Data {
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
    }
}
