import Foundation
import Logging

/// `SCHEDULER_EXIT_WITH_PARENT=<pid>`: the process stops, as on SIGTERM, once the process
/// that started it (that pid) has gone, however it ended; a supervisor killed with SIGKILL,
/// such as a test run stopped by a timeout, then leaves no server behind.
///
/// The parent is checked by `getppid()` every 200 ms on a thread of its own: a process whose
/// parent has ended is handed to another (init or a subreaper), and the answer changes.
/// Linux's `PR_SET_PDEATHSIG` would be immediate, but it follows the thread that started the
/// child, not the process, and a test runner starts children from pool threads that come and go.
enum ParentWatch {
    static let variable = "SCHEDULER_EXIT_WITH_PARENT"

    /// Starts watching if the variable is set; throws, naming it, if its value is not a pid.
    /// A parent already gone stops the process at the first check.
    static func startIfAsked(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let value = environment[variable] else { return }
        guard let parent = pid_t(value), parent > 1 else {
            throw CommandFailure("\(variable): expected the parent's process id, a number above 1; got \"\(value.prefix(40))\"")
        }
        let thread = Thread {
            while getppid() == parent { usleep(200_000) }
            Logger(label: "scheduler").notice(
                "the parent process has gone; stopping", metadata: ["parentPid": "\(parent)", "variable": "\(variable)"])
            // Again every 5 s: a signal that arrives while a command is still installing its
            // handler (the development cluster ignores SIGTERM for a moment first) is lost. A
            // second one changes nothing during a graceful stop. The stop has a minute; one
            // that hangs ends here.
            for _ in 0..<12 {
                kill(getpid(), SIGTERM)
                sleep(5)
            }
            Logger(label: "scheduler").error("the graceful stop took over a minute; exiting", metadata: ["parentPid": "\(parent)"])
            _exit(70)
        }
        thread.name = "parent-watch"
        thread.start()
    }
}
