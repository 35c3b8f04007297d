/// A setting the service cannot start with, named as the operator sets it.
package struct ServiceConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The environment variable, e.g. `SCHEDULER_JWT_SECRET`.
    package let variable: String
    package let problem: String

    package init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    static func missing(_ variable: String, _ what: String) -> ServiceConfigurationError {
        ServiceConfigurationError(variable: variable, problem: "is not set: \(what)")
    }

    static func invalid(_ variable: String, _ value: String, _ expected: String) -> ServiceConfigurationError {
        ServiceConfigurationError(variable: variable, problem: "\"\(value)\" is not \(expected)")
    }

    package var description: String { "\(variable) \(problem)" }
}
