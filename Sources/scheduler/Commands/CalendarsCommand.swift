import ArgumentParser
import CalendarProviders
import Foundation

/// `scheduler calendars check`: proves each configured provider account works.
struct CalendarsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendars",
        abstract: "Inspect the calendar provider accounts.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a token from every configured account and make a harmless read; print a table.",
            discussion: "Exits non-zero if any account fails. Secrets are never printed."
        )

        @Option(name: .long, help: "The accounts file (see docs/calendar-providers.md).")
        var config: String

        func run() async throws {
            let file: CalendarAccountsFile
            let directory: CalendarDirectory
            do {
                file = try CalendarAccountsFile(contentsOf: config)
                directory = try await CalendarDirectory.load(file)
            } catch {
                throw CommandFailure("calendars: \(error)")
            }
            var rows: [[String]] = [["ACCOUNT", "PROVIDER", "DOMAINS", "RESULT", "DETAIL"]]
            var failures = 0
            for account in directory.accounts {
                let domains = account.domains.joined(separator: ",")
                do {
                    let detail = try await account.check()
                    rows.append([account.name, account.provider.name, domains, "ok", detail])
                } catch {
                    failures += 1
                    rows.append([account.name, account.provider.name, domains, error.kind.rawValue, error.message])
                }
            }
            let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                print(
                    zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(
                        in: .whitespaces))
            }
            if failures > 0 { throw CommandFailure("calendars: \(failures) of \(directory.accounts.count) account(s) failed") }
        }
    }
}
