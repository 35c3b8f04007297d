import Foundation
import ICalendar
import SchedulerTesting
import SchedulingCore
import Testing

/// Real files from other calendar programs: none may crash or hang us, and our busy time
/// must match the independent Python peers except where CORPUS-DIFFERENCES.md says why not.
@Suite("iCalendar corpus")
struct CorpusTests {
    static let corpus = BuiltProducts.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/ical-corpus")

    static func files() -> [URL] {
        let enumerator = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "ics" }.sorted { $0.path < $1.path }
    }

    static func relative(_ file: URL) -> String {
        String(file.path.dropFirst(corpus.path.count + 1))
    }

    /// The files CORPUS-DIFFERENCES.md lists.
    static func listedDifferences() throws -> Set<String> {
        let readme = BuiltProducts.repositoryRoot.appendingPathComponent("Tests/ICalendarTests/CORPUS-DIFFERENCES.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        return Set(
            text.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("| `") else { return nil }
                return line.dropFirst(3).split(separator: "`").first.map(String.init)
            })
    }

    /// The calendar year of the file's first DTSTART, where its events are.
    static func window(for text: String) -> Interval {
        var year = 2024
        if let range = text.range(of: #"DTSTART[^:\r\n]*:(\d{4})"#, options: .regularExpression) {
            year = Int(text[range].suffix(4)) ?? 2024
        }
        let start = LocalDate(year: year, month: 1, day: 1).map { $0.daysSinceEpoch * 86_400 } ?? 0
        let end = LocalDate(year: year + 1, month: 1, day: 1).map { $0.daysSinceEpoch * 86_400 } ?? 0
        return Interval(start: Instant(secondsSinceEpoch: start), end: Instant(secondsSinceEpoch: end))
    }

    /// Run in UTC and in a zone with DST, where a UTC time read as floating would show.
    @Test(arguments: ["UTC", "America/New_York"])
    func everyFileParsesWithoutCrashingAndMatchesThePeersOrIsExplained(owner: String) async throws {
        let zone = try #require(IANATimeZone.named(owner))
        let files = Self.files()
        #expect(files.count >= 75, "the corpus is beside the repository (../shared/ical-corpus)")
        let listed = try Self.listedDifferences()
        let contents = try files.map { Array(try Data(contentsOf: $0)) }
        let windows = contents.map { Self.window(for: String(decoding: $0, as: UTF8.self)) }
        let references = try await Self.referenceBusyTimes(of: files, windows: windows, owner: owner)
        var differing = Set<String>()
        for (index, file) in files.enumerated() {
            let ours: [[String]]?
            do {
                let document = try ICalendarDocument(bytes: contents[index])
                ours = try BusyTimeReader(ownerZone: zone).busyTime(in: document, window: windows[index])
                    .intervals.map { [$0.start.description, $0.end.description] }
            } catch {
                #expect(!error.description.isEmpty)
                ours = nil
            }
            let theirs = references[index]
            if ours == nil || theirs == nil || ours?.sorted(by: { $0.lexicographicallyPrecedes($1) }) != theirs {
                differing.insert(Self.relative(file))
            }
        }
        #expect(differing.subtracting(listed).sorted() == [], "differences not explained in CORPUS-DIFFERENCES.md (owner \(owner))")
        #expect(listed.subtracting(differing).sorted() == [], "listed differences that no longer differ (owner \(owner))")
    }

    /// The Python peers' busy time of each file in its window, nil where they failed on it:
    /// one process for all files (`--batch`), since importing the peers takes most of a run.
    static func referenceBusyTimes(of files: [URL], windows: [Interval], owner: String) async throws -> [[[String]]?] {
        var jobs = Data()
        for (file, window) in zip(files, windows) {
            let job = ["file": file.path, "from": window.start.description, "to": window.end.description, "owner": owner]
            jobs += try JSONSerialization.data(withJSONObject: job) + Data("\n".utf8)
        }
        let script = BuiltProducts.repositoryRoot.appendingPathComponent("scripts/ical_busy_reference.py").path
        let reference = try await ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script, "--batch"])
            .run(input: jobs)
        let answers = reference.standardOutput.split(separator: "\n")
        #expect(reference.status == 0 && answers.count == files.count, "the reference ended early: \(reference.standardError)")
        return files.indices.map { index in
            guard index < answers.count else { return nil }
            let answer = try? JSONSerialization.jsonObject(with: Data(answers[index].utf8)) as? [String: Any]
            return answer?["busy"] as? [[String]]
        }
    }
}
