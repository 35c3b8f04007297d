import ArgumentParser
import Foundation

extension SchedulerCommand {
    /// ArgumentParser's own `main`, except that an error's message reaches standard error in
    /// one write. ArgumentParser writes it a byte at a time (`putc`), and a log line from
    /// another thread (PostgresNIO's pool giving up a connection as `sagas list` ended) once
    /// landed in the middle of "the database has no scheduler schema".
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let message = fullMessage(for: error)
            let code = exitCode(for: error)
            if code.isSuccess {
                if !message.isEmpty { print(message) }  // help and other clean exits go to standard output, as before
            } else if !message.isEmpty {
                try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
