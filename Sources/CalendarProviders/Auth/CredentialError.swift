/// A credential that is missing or malformed, found at start-up. It names the setting and
/// what is wrong with it, never the secret itself.
public struct CredentialError: Error, Hashable, Sendable, CustomStringConvertible {
    public var setting: String
    public var problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "\(setting): \(problem)" }
}
