/// A definition's name and version.
package struct DefinitionKey: Hashable, Sendable, CustomStringConvertible {
    package var name: String
    package var version: Int

    package init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    package var description: String { "\(name) v\(version)" }
}
