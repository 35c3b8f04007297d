package import Foundation

/// Runs a program to completion and captures what it printed, for tests that treat the
/// service's binaries as black boxes.
package struct ChildProcess: Sendable {
    /// How a finished run ended.
    package struct Result: Sendable {
        package let status: Int32
        package let standardOutput: String
        package let standardError: String
    }

    package let executable: URL
    package let arguments: [String]
    /// The child's whole environment; nil inherits this process's.
    package let environment: [String: String]?

    package init(executable: URL, arguments: [String], environment: [String: String]? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// Runs the program, feeding it `input`, until it exits. Output goes through temporary
    /// files, so a chatty child cannot block on a full pipe; the exit is awaited without
    /// blocking a thread (tests run side by side on few threads).
    package func run(input: Data = Data()) async throws -> Result {
        let directory = try TemporaryDirectory(prefix: "child")
        defer { directory.remove() }
        let paths = ["stdin", "stdout", "stderr"].map { directory.path($0) }
        try input.write(to: URL(fileURLWithPath: paths[0]))
        let process = try SpawnedProcess(
            executable: executable, arguments: arguments, environment: environment, standardInput: .file(paths[0]),
            standardOutput: .file(paths[1]), standardError: .file(paths[2]))
        let termination = await process.exit()
        return Result(
            status: termination.status,
            standardOutput: String(decoding: try Data(contentsOf: URL(fileURLWithPath: paths[1])), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: URL(fileURLWithPath: paths[2])), as: UTF8.self))
    }
}

/// Where the build put the package's executables.
package enum BuiltProducts {
    /// The executable `name` from the same build as the running tests. `SCHEDULER_BIN_DIR`
    /// overrides the directory (e.g. to test a release build).
    package static func executable(_ name: String) -> URL {
        if let directory = ProcessInfo.processInfo.environment["SCHEDULER_BIN_DIR"] {
            return URL(fileURLWithPath: directory).appendingPathComponent(name)
        }
        // The test runner lives next to the products: .build/<triple>/debug/<Package>PackageTests.xctest
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent(name)
    }

    /// This process's environment with `overrides`, for a long-running `scheduler` child: it
    /// stops when this process is gone (`SCHEDULER_EXIT_WITH_PARENT`), so a test run killed by
    /// a timeout or a crash leaves none of the service's servers behind. (As a container's
    /// first process, pid 1, this process outlives its children anyway: nothing is set.)
    package static func childEnvironment(_ overrides: [String: String] = [:]) -> [String: String] {
        let parent = getpid()
        let watch = parent > 1 ? ["SCHEDULER_EXIT_WITH_PARENT": "\(parent)"] : [:]
        return ProcessInfo.processInfo.environment.merging(watch) { _, new in new }.merging(overrides) { _, new in new }
    }

    /// The repository's root, found from this source file's location.
    package static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
