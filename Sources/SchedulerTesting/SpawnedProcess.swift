package import Foundation
import Synchronization

/// A child process started with `posix_spawn`, for tests and their peers.
///
/// Foundation's `Process` is not used: on Linux its `run()` lists `/proc/self/fd` and copies
/// each entry's whole `d_name`, which can read past the end of glibc's directory buffer and
/// crash the test process when it has about a thousand descriptors open, as this suite does
/// at its peak (swift-corelibs-foundation #5472, fixed after Swift 6.3).
///
/// The child gets descriptors 0–2 only, every signal at its default (glibc keeps its own two
/// internal ones ignored) and an empty signal mask, whatever the test process has set. A thread of its own waits for the exit, so no
/// zombie is left and no cooperative thread blocks.
package final class SpawnedProcess: Sendable {
    /// Where one of the child's standard streams comes from or goes.
    package enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// This process's own stream.
        case inherit
        /// A file: read as input; created or truncated as output.
        case file(String)
        /// A descriptor of this process (e.g. a pipe's end), duplicated into the child.
        case descriptor(Int32)
    }

    /// How the child ended.
    package enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The exit status, or the number of the signal that ended it (0: the exit was not seen).
        package var status: Int32 {
            switch self {
            case .exited(let status), .signalled(let status): status
            }
        }

        package var description: String {
            switch self {
            case .exited(let status): "exited with \(status)"
            case .signalled(let signal): "was killed by signal \(signal)"
            }
        }

        /// Decodes what `waitpid` reported (no stops are asked for).
        init(waitStatus: Int32) {
            let signal = waitStatus & 0x7f
            self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
        }
    }

    package let processIdentifier: pid_t
    private let state = Mutex(State())
    /// Signalled once, when the child has been reaped; each blocking waiter passes it on.
    private let reaped = DispatchSemaphore(value: 0)

    private struct State {
        var termination: Termination?
        var waiters: [CheckedContinuation<Termination, Never>] = []
    }

    /// Starts `executable` (a path, not looked up) with `arguments`; `environment` nil
    /// passes this process's on.
    package init(
        executable: URL, arguments: [String], environment: [String: String]? = nil, standardInput: Stream = .null,
        standardOutput: Stream = .null, standardError: Stream = .null
    ) throws {
        processIdentifier = try Self.spawn(
            executable.path, arguments: arguments, environment: environment, streams: [standardInput, standardOutput, standardError])
        Thread { [self] in reap() }.start()
    }

    /// How the child ended; nil while it runs.
    package var termination: Termination? { state.withLock { $0.termination } }

    package var isRunning: Bool { termination == nil }

    /// Sends `signal` unless the child has been reaped (its pid may then be someone else's).
    package func send(_ signal: Int32) {
        state.withLock { state in
            if state.termination == nil { kill(processIdentifier, signal) }
        }
    }

    /// Waits for the exit without blocking a thread.
    @discardableResult
    package func exit() async -> Termination {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if state.termination == nil { state.waiters.append(continuation) }
                return state.termination
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Blocks the calling thread until the exit: for exit handlers and threads of their own.
    @discardableResult
    package func waitUntilExit() -> Termination {
        reaped.wait()
        reaped.signal()
        return state.withLock { $0.termination } ?? .signalled(0)
    }

    /// Waits for the exit without reaping, then reaps and records it under the lock, so that
    /// `send` never signals a pid that has been freed.
    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        let waiters = state.withLock { state in
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(processIdentifier, &status, 0) } while reaped == -1 && errno == EINTR
            // Reaped by someone else (SIGCHLD ignored, a waitpid(-1) elsewhere): not a success.
            let termination = reaped == processIdentifier ? Termination(waitStatus: status) : .signalled(0)
            state.termination = termination
            defer { state.waiters = [] }
            return state.waiters.map { ($0, termination) }
        }
        for (waiter, termination) in waiters { waiter.resume(returning: termination) }
        reaped.signal()
    }

    private static func spawn(_ path: String, arguments: [String], environment: [String: String]?, streams: [Stream]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in streams.enumerated() {
            let target = Int32(target)
            let writing = O_WRONLY | O_CREAT | O_TRUNC
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .inherit: break
            case .file(let file): posix_spawn_file_actions_addopen(&actions, target, file, target == 0 ? O_RDONLY : writing, 0o644)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        guard let closeFrom = addCloseFrom else {
            throw SpawnError(path: path, reason: "this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34+)")
        }
        _ = closeFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            for string in argv + (envp ?? []) { free(string) }
        }
        var pid: pid_t = 0
        let failed =
            if let envp {
                posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            } else {
                posix_spawn(&pid, path, &actions, &attributes, argv, environ)
            }
        guard failed == 0 else { throw SpawnError(path: path, reason: String(cString: strerror(failed))) }
        return pid
    }
}

/// A child process that could not be started.
package struct SpawnError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String
    package var description: String { "could not start \(path): \(reason)" }
}

/// glibc declares it only for `_DEFAULT_SOURCE` builds, which Swift's Glibc module is not.
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
private let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
    unsafeBitCast($0, to: AddCloseFrom.self)
}
