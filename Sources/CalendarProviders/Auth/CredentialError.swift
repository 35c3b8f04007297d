/// A credential that is missing or malformed, found at start-up. It names the setting and
/// what is wrong with it, never the secret itself.
package struct CredentialError: Error, Hashable, Sendable, CustomStringConvertible {
    package var setting: String
    package var problem: String

    package init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    package var description: String { "\(setting): \(problem)" }
}
