import CalendarProviders
import Foundation
import SchedulerTesting
import Testing

@Suite("Calendar accounts: configuration, credentials and `scheduler calendars check`")
struct CalendarAccountsTests {
    func write(_ yaml: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("calendars.yaml")
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [
        (
            "accounts:\n  - name: a\n    provider: google\n    domains: [acme.example]\n",
            "accounts[0].serviceAccountKeyFile: serviceAccountKeyFile or serviceAccountKeyEnv is required for provider google"
        ),
        (
            "accounts:\n  - name: a\n    provider: google\n    domains: [acme.example]\n    serviceAccountKeyEnv: NOT_SET_ANYWHERE\n",
            "accounts[0].serviceAccountKeyEnv: the variable NOT_SET_ANYWHERE is not set"
        ),
        (
            "accounts:\n  - name: a\n    provider: google\n    domains: [acme.example]\n    serviceAccountKeyEnv: BROKEN_KEY\n",
            "accounts[0].serviceAccountKeyEnv (BROKEN_KEY): \"private_key\" is missing or not a PEM private key"
        ),
        (
            "accounts:\n  - name: b\n    provider: graph\n    domains: [contoso.example]\n    clientId: x\n",
            "accounts[0].tenantId: is required for provider graph"
        ),
        (
            "accounts:\n  - name: b\n    provider: graph\n    domains: [contoso.example]\n    tenantId: t\n    clientId: x\n    clientSecretFile: /nonexistent/secret\n",
            "accounts[0].clientSecretFile: /nonexistent/secret cannot be read"
        ),
        (
            "accounts:\n  - name: c\n    provider: outlook\n    domains: ['*']\n",
            "accounts[0].provider: must be google, graph or local, found \"outlook\""
        ),
        ("accounts:\n  - name: c\n    domains: ['*']\n", "accounts[0].provider: is required"),
    ])
    func aMissingOrMalformedCredentialNamesTheSetting(yaml: String, expected: String) async throws {
        let directory = try TemporaryDirectory(prefix: "accounts")
        defer { directory.remove() }
        let path = try write(yaml, in: directory)
        let error = await #expect(throws: CredentialError.self) {
            _ = try await CalendarDirectory.load(
                try CalendarAccountsFile(contentsOf: path), environment: ["BROKEN_KEY": #"{"type":"service_account","client_email":"a@b.example"}"#])
        }
        #expect(error.map { "\($0)".replacingOccurrences(of: "\(path): ", with: "") } == expected)
    }

    @Test func interviewersAreRoutedByDomainWithAWildcardFallback() async throws {
        let directory = try TemporaryDirectory(prefix: "accounts")
        defer { directory.remove() }
        let file = CalendarAccountsFile.localOnly(database: directory.path("calendars.sqlite"))
        let calendars = try await CalendarDirectory.load(file, environment: [:])
        #expect(calendars.account(for: "anyone@anywhere.example")?.name == "local")
    }

    @Test func checkPrintsOneRowPerAccountAndNeverASecret() async throws {
        try await ProviderTestBed.run { bed in
            let directory = try TemporaryDirectory(prefix: "accounts")
            defer { directory.remove() }
            try bed.serviceAccountJSON().write(to: URL(fileURLWithPath: directory.path("google.json")))
            try Data(ProviderTestBed.clientSecret.utf8).write(to: URL(fileURLWithPath: directory.path("graph-secret")))
            let config = try write(
                """
                accounts:
                  - name: acme
                    provider: google
                    domains: [acme.example]
                    serviceAccountKeyFile: \(directory.path("google.json"))
                    probeCalendar: recruiting@acme.example
                    apiBaseURL: \(bed.baseURL.absoluteString)calendar/v3/
                  - name: contoso
                    provider: graph
                    domains: [contoso.example]
                    tenantId: \(ProviderTestBed.tenant)
                    clientId: \(ProviderTestBed.clientID)
                    clientSecretFile: \(directory.path("graph-secret"))
                    probeCalendar: recruiting@contoso.example
                    authorityURL: \(bed.baseURL.absoluteString)
                    apiBaseURL: \(bed.baseURL.absoluteString)v1.0/
                  - name: local
                    provider: local
                    domains: ["*"]
                    database: \(directory.path("calendars.sqlite"))
                """, in: directory)
            let result = try await ChildProcess(
                executable: BuiltProducts.executable("scheduler"), arguments: ["calendars", "check", "--config", config]
            ).run()
            #expect(result.status == 0, "\(result.standardError)")
            let lines = result.standardOutput.split(separator: "\n")
            #expect(lines.count == 4)
            #expect(lines.dropFirst().allSatisfy { $0.contains("  ok  ") }, "\(result.standardOutput)")
            #expect(!result.standardOutput.contains(ProviderTestBed.clientSecret) && !result.standardOutput.contains("PRIVATE KEY"))
            #expect(bed.google.tokenRequests == 1)

            try Data("wrong".utf8).write(to: URL(fileURLWithPath: directory.path("graph-secret")))
            let failing = try await ChildProcess(
                executable: BuiltProducts.executable("scheduler"), arguments: ["calendars", "check", "--config", config]
            ).run()
            #expect(failing.status != 0)
            #expect(
                failing.standardOutput.contains("contoso") && failing.standardOutput.contains("authentication")
                    && failing.standardOutput.contains("invalid_client"))
            #expect(failing.standardError.contains("1 of 3 account(s) failed"))
        }
    }
}
