import Foundation
import SchedulingCore

/// The configured provider accounts, each a ready provider, and which one holds an
/// interviewer's calendar (by e-mail domain; `*` catches the rest).
package struct CalendarDirectory: Sendable {
    /// One configured account.
    package struct Account: Sendable {
        package var name: String
        package var provider: any CalendarProvider
        package var domains: [String]
        package var probeCalendar: String?
        /// Fetches a token (where there is one) and makes a harmless read.
        package var check: @Sendable () async throws(ProviderError) -> String

        package init(
            name: String, provider: any CalendarProvider, domains: [String], probeCalendar: String?,
            check: @escaping @Sendable () async throws(ProviderError) -> String
        ) {
            self.name = name
            self.provider = provider
            self.domains = domains
            self.probeCalendar = probeCalendar
            self.check = check
        }
    }

    package let accounts: [Account]

    package init(accounts: [Account]) {
        self.accounts = accounts
    }

    /// The account for `email`: an exact domain match first, then `*`.
    package func account(for email: String) -> Account? {
        let domain = email.split(separator: "@").last.map { $0.lowercased() } ?? ""
        return accounts.first { $0.domains.contains { $0.lowercased() == domain } } ?? accounts.first { $0.domains.contains("*") }
    }

    /// The provider whose name a stored reference carries, for updating or undoing it.
    package func provider(named name: String, calendar: String) -> (any CalendarProvider)? {
        let candidate = account(for: calendar)?.provider
        return candidate?.name == name ? candidate : accounts.first { $0.provider.name == name }?.provider
    }
}
