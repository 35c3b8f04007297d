import Foundation
import SchedulerTesting
import SchedulingCore
import Testing

@testable import SchedulerRuntime

@Suite("Feed cache: each feed parsed once, again when it changes")
struct FeedCacheTests {
    static let window = Interval(start: Instant(secondsSinceEpoch: 1_773_014_400), end: Instant(secondsSinceEpoch: 1_773_619_200))  // 9–16 Mar 2026

    /// One meeting on 10 March 2026, 15:00–16:00 UTC, or 10:00–11:00 after `moved`.
    static func feed(moved: Bool = false) -> String {
        let hour = moved ? "10" : "15"
        return [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//feed//EN", "BEGIN:VEVENT", "UID:one@test", "DTSTAMP:20260101T000000Z",
            "DTSTART:20260310T\(hour)0000Z", "DTEND:20260310T\(moved ? "11" : "16")0000Z", "SUMMARY:Busy\(moved ? " (moved here)" : "")",
            "END:VEVENT", "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
    }

    static func starts(_ busy: [Interval]) -> [String] { busy.map { ISO8601.format($0.start) } }

    @Test func aFileIsParsedAgainOnlyWhenItChanges() async throws {
        let directory = try TemporaryDirectory(prefix: "feeds")
        defer { directory.remove() }
        let path = directory.path("grace.ics")
        try Self.feed().write(toFile: path, atomically: true, encoding: .utf8)
        let cache = FeedCache()

        for _ in 0..<3 {
            #expect(Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T15:00:00Z"])
        }
        #expect(cache.parses == 1)

        try Self.feed(moved: true).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T10:00:00Z"])
        #expect(cache.parses == 2)
    }

    @Test func concurrentReadersOfOneFeedAllSeeItsBusyTime() async throws {
        let directory = try TemporaryDirectory(prefix: "feeds")
        defer { directory.remove() }
        let path = directory.path("alan.ics")
        try Self.feed().write(toFile: path, atomically: true, encoding: .utf8)
        let cache = FeedCache()
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<32 { group.addTask { Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) } }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(results.count == 32 && results.allSatisfy { $0 == ["2026-03-10T15:00:00Z"] })
    }

    /// Python's `http.server` answers `If-Modified-Since` with 304 when the file is not newer.
    @Test func aURLIsAskedConditionallyAndA304KeepsTheParsedFeed() async throws {
        let directory = try TemporaryDirectory(prefix: "feeds")
        defer { directory.remove() }
        let path = directory.path("feed.ics")
        try Self.feed().write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_770_000_000)], ofItemAtPath: path)
        let port = try FreePort.next()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path(""), "\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGKILL: the test process blocks SIGTERM, and its children inherit that.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let url = "http://127.0.0.1:\(port)/feed.ics"
        let cache = FeedCache()
        #expect(try await eventually(20) { (try? await cache.current(url)) != nil }, "the server came up")
        #expect(cache.parses == 1)

        for _ in 0..<3 {
            #expect(Self.starts(try await cache.busyTime(of: url, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T15:00:00Z"])
        }
        #expect(cache.parses == 1, "304 Not Modified: the parsed copy is reused")

        try Self.feed(moved: true).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_780_000_000)], ofItemAtPath: path)
        #expect(Self.starts(try await cache.busyTime(of: url, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T10:00:00Z"])
        #expect(cache.parses == 2)
    }
}
