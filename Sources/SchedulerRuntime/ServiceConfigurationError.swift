/// A setting the service cannot start with, named as the operator sets it.
public struct ServiceConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The environment variable, e.g. `SCHEDULER_JWT_SECRET`.
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    static func missing(_ variable: String, _ what: String) -> ServiceConfigurationError {
        ServiceConfigurationError(variable: variable, problem: "is not set: \(what)")
    }

    static func invalid(_ variable: String, _ value: String, _ expected: String) -> ServiceConfigurationError {
        ServiceConfigurationError(variable: variable, problem: "\"\(value)\" is not \(expected)")
    }

    public var description: String { "\(variable) \(problem)" }
}
