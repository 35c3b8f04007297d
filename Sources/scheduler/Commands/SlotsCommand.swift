import ArgumentParser
import Foundation
import ICalendar
import SchedulingCore

/// `scheduler slots --request FILE.json [--format json|table]`
struct SlotsCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table
    }

    static let configuration = CommandConfiguration(
        commandName: "slots",
        abstract: "Find the interview slots that fit every participant.",
        discussion:
            "Reads a slot request (JSON, see docs/slot-request.md) and prints the fitting slots, ranked, in UTC and in each participant's local time. When nothing fits it explains which participant blocks the closest candidates and why."
    )

    @Option(name: .long, help: "The slot request, a JSON file ('-' for standard input).")
    var request: String

    @Option(name: .long, help: "Output format: json or table.")
    var format: Format = .json

    func run() throws {
        let data: Data
        do {
            data =
                request == "-"
                ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: request))
        } catch {
            throw CommandFailure("cannot read request file \(request): \(error.localizedDescription)")
        }
        var query: SlotQuery
        let slotRequest: SlotRequest
        do {
            slotRequest = try SlotRequest.decode(from: data)
            query = try slotRequest.validated(clock: Instant(Date()))
        } catch {
            throw CommandFailure("invalid request: \(error)")
        }
        // Feed paths are relative to the request file.
        let base =
            request == "-"
            ? URL(fileURLWithPath: FileManager.default.currentDirectoryPath) : URL(fileURLWithPath: request).deletingLastPathComponent()
        var feeds: [Int: [URL]] = [:]
        for (index, participant) in slotRequest.participants.enumerated() {
            feeds[index] = (participant.busyFeeds ?? []).map { URL(fileURLWithPath: $0, relativeTo: base).standardizedFileURL }
        }
        do {
            query = try query.addingBusyTime(fromFeeds: feeds)
        } catch {
            throw CommandFailure("invalid busy feed: \(error)")
        }
        let report = SlotReport(result: SlotFinder(query: query).search(), query: query)
        switch format {
        case .json:
            FileHandle.standardOutput.write(try report.json())
            FileHandle.standardOutput.write(Data("\n".utf8))
        case .table:
            print(SlotTable.render(report), terminator: "")
        }
    }
}
