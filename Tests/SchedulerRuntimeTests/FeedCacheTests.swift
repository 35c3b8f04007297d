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

    /// Whether something listens on the loopback port.
    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A panel that shares one feed asks for the same window at once: the feed is expanded
    /// once and every interviewer gets the same answer; another zone or window is its own.
    @Test func aSharedFeedIsExpandedOncePerZoneAndWindow() async throws {
        let directory = try TemporaryDirectory(prefix: "feeds")
        defer { directory.remove() }
        let (path, cache) = try Self.fileFeed(in: directory)
        // Parsed first, alone: calls on a cold cache may each parse (only speed is lost), and
        // the count below is of this one parsed version's expansions.
        let parsed = try await cache.current(path)
        #expect(parsed.expansions == 0)
        let answers = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) } }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: ["2026-03-10T15:00:00Z"], count: 8))
        #expect(try await cache.current(path) === parsed, "the file did not change")
        #expect(parsed.expansions == 1)
        let later = Interval(start: Self.window.start + .seconds(86_400), end: Self.window.end)
        #expect(Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: later)) == ["2026-03-10T15:00:00Z"])
        let elsewhere = try #require(TimeZone(identifier: "Asia/Tokyo"))
        _ = try await cache.busyTime(of: path, ownerZone: elsewhere, in: Self.window)
        #expect(parsed.expansions == 3)
        #expect(cache.parses == 1)
    }

    /// `feed()` written to a file in `directory`, and a cache that has not read it yet.
    static func fileFeed(in directory: TemporaryDirectory) throws -> (path: String, cache: FeedCache) {
        let path = directory.path("grace.ics")
        try feed().write(toFile: path, atomically: true, encoding: .utf8)
        return (path, FeedCache())
    }

    @Test func aFileIsParsedAgainOnlyWhenItChanges() async throws {
        let directory = try TemporaryDirectory(prefix: "feeds")
        defer { directory.remove() }
        let (path, cache) = try Self.fileFeed(in: directory)

        for _ in 0..<3 {
            #expect(Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T15:00:00Z"])
        }
        #expect(cache.parses == 1)

        try Self.feed(moved: true).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T10:00:00Z"])
        #expect(cache.parses == 2)

        // Same size, modification time put back (what `cp -p` or `rsync -t` leave): still a new version.
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try Self.feed().replacingOccurrences(of: "T15", with: "T14").replacingOccurrences(of: "T16", with: "T15")
            .write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        #expect(Self.starts(try await cache.busyTime(of: path, ownerZone: .gmt, in: Self.window)) == ["2026-03-10T14:00:00Z"])
        #expect(cache.parses == 3)
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
        let server = try SpawnedProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path(""), "\(port)"])
        defer { server.send(SIGKILL) }  // its own thread reaps it
        // Ready once it accepts connections; only then does the cache (and its retries) see it.
        #expect(try await eventually(60) { Self.accepts(port: port) }, "the server came up")
        let url = "http://127.0.0.1:\(port)/feed.ics"
        let cache = FeedCache()
        _ = try await cache.current(url)
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
