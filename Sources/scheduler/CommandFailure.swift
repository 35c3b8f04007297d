/// A failure to report on standard error with a non-zero exit code and nothing on standard output.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message
    }
}
