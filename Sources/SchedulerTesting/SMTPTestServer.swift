package import Foundation

/// A real SMTP server in a child process (`scripts/tests/smtp_server.py`, aiosmtpd) that keeps
/// every message it is given as a file, with faults and STARTTLS/AUTH on request.
package final class SMTPTestServer: Sendable {
    /// One message that reached `DATA`, as the server's log records it.
    package struct Received: Decodable, Sendable {
        package var number: Int
        package var messageId: String?
        package var from: String
        package var to: [String]
        /// What the server answered: `ok`, a reply code, or `drop`.
        package var reply: String
        package var tls: Bool
        package var authenticated: Bool
    }

    package let port: Int
    package let spool: URL
    /// The certificate clients must trust, when TLS is on.
    package let certificate: String?
    private let directory: TemporaryDirectory
    private let process: SpawnedProcess

    /// Starts the server and waits until it listens. `faults` are the replies to the first
    /// messages in order (`451`, `550`, `drop`, `ok`); `credentials` turns AUTH on.
    package init(faults: [String] = [], tls: Bool = false, credentials: (user: String, password: String)? = nil) async throws {
        directory = try TemporaryDirectory(prefix: "smtp")
        spool = directory.url.appendingPathComponent("spool")
        port = try FreePort.next()
        var arguments = [
            BuiltProducts.repositoryRoot.appendingPathComponent("scripts/tests/smtp_server.py").path, "--port", "\(port)", "--spool", spool.path,
            "--faults", faults.joined(separator: ","),
        ]
        if tls {
            let certificate = directory.path("cert.pem"), key = directory.path("key.pem")
            let made = try await ChildProcess(
                executable: ChildProcess.onPath("openssl"),
                arguments: [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate,
                ]
            ).run()
            guard made.status == 0 else { throw TestServerError("openssl could not make a certificate: \(made.standardError)") }
            arguments += ["--tls-cert", certificate, "--tls-key", key]
            self.certificate = certificate
        } else {
            certificate = nil
        }
        if let credentials { arguments += ["--auth", "\(credentials.user):\(credentials.password)"] }
        process = try SpawnedProcess(
            executable: ChildProcess.onPath("python3"), arguments: arguments, standardError: .file(directory.path("server.log")))
        let ready = spool.appendingPathComponent("ready").path
        guard try await eventually(20, { FileManager.default.fileExists(atPath: ready) }) else {
            stop()
            throw TestServerError(
                "the SMTP server did not start: \((try? String(contentsOfFile: directory.path("server.log"), encoding: .utf8)) ?? "")")
        }
    }

    /// `smtp://127.0.0.1:<port>`.
    package var url: URL { URL(string: "smtp://127.0.0.1:\(port)")! }

    /// Every message that reached `DATA`, in order.
    package func received() throws -> [Received] {
        let log = spool.appendingPathComponent("log.jsonl")
        guard FileManager.default.fileExists(atPath: log.path) else { return [] }
        return try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Received.self, from: Data($0.utf8))
        }
    }

    /// The file of the `number`th message.
    package func file(_ number: Int) -> URL {
        spool.appendingPathComponent(String(format: "%04d.eml", number))
    }

    /// Kills the server without waiting for its exit (the process's own thread reaps it): a
    /// wait here would block a cooperative thread in the tests' `defer`.
    package func stop() {
        process.send(SIGKILL)
        directory.remove()
    }

    deinit { stop() }
}

/// A test peer that could not be started.
package struct TestServerError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}

extension ChildProcess {
    /// A program found through `env`, as a shell would find it.
    package static func onPath(_ name: String) -> URL {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: "/usr/bin/\(name)")
    }
}
