import CalendarProviders
import Foundation
import ICalendar
import SchedulingCore
import Synchronization

/// The availability responder's feeds, each parsed once and reused until it changes: a file
/// is parsed again when its content changes, a URL is asked again every
/// time with `If-None-Match`/`If-Modified-Since` (a 304 keeps the parsed copy) through the
/// resilient HTTP client, so a slow or failing server meets a timeout and retries.
final class FeedCache: Sendable {
    /// What identifies one version of a feed: for a file, its content (read again each time,
    /// which costs far less than parsing; a timestamp would miss a copy that keeps it).
    enum Version: Hashable, Sendable {
        case file(size: Int, digest: Int)
        case http(etag: String?, lastModified: String?)
    }

    private let entries = Mutex<[String: ParsedFeed]>([:])
    /// One client (and so one circuit breaker) per host: a dead server does not hold up the others.
    private let clients = Mutex<[String: ResilientHTTPClient]>([:])
    private let makeClient: @Sendable (_ host: String) -> ResilientHTTPClient
    private let parsed = Atomic<Int>(0)
    /// Parses so far: a feed that did not change is not parsed again.
    var parses: Int { parsed.load(ordering: .relaxed) }

    init(makeClient: @escaping @Sendable (_ host: String) -> ResilientHTTPClient) {
        self.makeClient = makeClient
    }

    convenience init() {
        self.init { host in
            ResilientHTTPClient(
                provider: "ics-feed", transport: URLSessionTransport(), breaker: CircuitBreaker(provider: "ics-feed", tenant: host),
                policy: .init(maxAttempts: 3, requestTimeout: .seconds(10), deadline: .seconds(30)))
        }
    }

    /// Busy time from `feed` (a path or an http(s) URL) in `window`.
    func busyTime(of feed: String, ownerZone: TimeZone, in window: Interval) async throws -> [Interval] {
        try await current(feed).busyTime(ownerZone: ownerZone, in: window)
    }

    /// The parsed feed as it is now.
    func current(_ feed: String) async throws -> ParsedFeed {
        let cached = entries.withLock { $0[feed] }
        if let url = URL(string: feed), url.scheme == "https" || url.scheme == "http" {
            return try await fetch(url, feed: feed, cached: cached)
        }
        guard let data = FileManager.default.contents(atPath: feed) else { throw ResponderError("\(feed): cannot be read") }
        var digest = Hasher()
        data.withUnsafeBytes { digest.combine(bytes: $0) }
        let version = Version.file(size: data.count, digest: digest.finalize())
        if let cached, cached.version == version { return cached }
        return try store(Array(data), version: version, feed: feed)
    }

    private func fetch(_ url: URL, feed: String, cached: ParsedFeed?) async throws -> ParsedFeed {
        var headers: [String: String] = [:]
        if case .http(let etag, let lastModified) = cached?.version {
            headers["If-None-Match"] = etag
            headers["If-Modified-Since"] = lastModified
        }
        let host = url.host ?? feed
        let client = clients.withLock { clients in
            if let client = clients[host] { return client }
            let client = makeClient(host)
            clients[host] = client
            return client
        }
        let response = try await client.send(HTTPRequest(method: "GET", url: url, headers: headers))
        if response.status == 304, let cached { return cached }
        guard response.status == 200 else { throw ResponderError("\(feed): HTTP \(response.status)") }
        let version = Version.http(etag: response.headers["etag"], lastModified: response.headers["last-modified"])
        return try store(Array(response.body), version: version, feed: feed)
    }

    private func store(_ bytes: [UInt8], version: Version, feed: String) throws -> ParsedFeed {
        let feedVersion = ParsedFeed(document: try ICalendarDocument(bytes: bytes), version: version)
        parsed.add(1, ordering: .relaxed)
        entries.withLock { $0[feed] = feedVersion }
        return feedVersion
    }
}

/// One parsed version of a feed. libical's components are not safe to read from two
/// threads at once (their child iterators are state), so every read takes the lock.
///
/// The latest answers are kept by zone and window: the interviewers of one request ask for the
/// same window, and when they share a feed (a team calendar, the embedded sample) it is
/// expanded once for the panel.
final class ParsedFeed: @unchecked Sendable {
    let version: FeedCache.Version
    private let document: ICalendarDocument
    private struct Question: Hashable {
        var zone: String
        var window: Interval
    }
    /// The answers kept, and the order they came in (the oldest goes first); under `lock`.
    private var answers: [Question: [Interval]] = [:]
    private var asked: [Question] = []
    private let lock = Mutex<Void>(())
    /// Answers kept at most.
    static let kept = 64
    /// Expansions so far; under `lock`.
    private var expanded = 0
    /// Expansions of the feed so far (answers not found among those kept).
    var expansions: Int { lock.withLock { _ in expanded } }

    init(document: ICalendarDocument, version: FeedCache.Version) {
        self.document = document
        self.version = version
    }

    func busyTime(ownerZone: TimeZone, in window: Interval) throws -> [Interval] {
        try lock.withLock { _ in
            let question = Question(zone: ownerZone.identifier, window: window)
            if let answer = answers[question] { return answer }
            let answer = try BusyTimeReader(ownerZone: ownerZone).busyTime(in: document, window: window).intervals
            expanded += 1
            answers[question] = answer
            asked.append(question)
            if asked.count > Self.kept { answers[asked.removeFirst()] = nil }
            return answer
        }
    }
}
