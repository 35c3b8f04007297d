package import Foundation
package import SagaCore
import SagaStore
import Yams

/// Every saga definition the service loaded, by name and version.
package struct SagaCatalog: Sendable {
    private var definitions: [DefinitionKey: SagaDefinition] = [:]

    package init(_ definitions: [SagaDefinition]) {
        for definition in definitions {
            self.definitions[DefinitionKey(name: definition.name, version: definition.version)] = definition
        }
    }

    /// The newest version of `name`: what new instances start with.
    package func latest(_ name: String) -> SagaDefinition? {
        definitions.values.filter { $0.name == name }.max { $0.version < $1.version }
    }

    /// A specific version: what a running instance keeps for its whole life.
    package func definition(_ name: String, version: Int) -> SagaDefinition? {
        definitions[DefinitionKey(name: name, version: version)]
    }

    package var all: [SagaDefinition] {
        definitions.values.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// Loads every `*.yaml`, `*.yml` and `*.json` file in `directory` and checks each
    /// against `handlers`. The first problem stops the load with the file, step and reason.
    /// Sagas named in `excluding` are left out (a backend that does not run them yet).
    package static func load(
        directory: URL, handlers: HandlerInventory, excluding excluded: Set<String> = []
    ) throws(DefinitionError) -> SagaCatalog {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw DefinitionError(file: directory.path, step: nil, reason: "cannot list saga definitions: \(error.localizedDescription)")
        }
        var origins: [DefinitionKey: String] = [:]
        var definitions: [SagaDefinition] = []
        for file in files {
            let name = "\(directory.lastPathComponent)/\(file.lastPathComponent)"
            let document = try decode(file, name: name)
            if excluded.contains(document.name) { continue }
            let definition = try document.validated(file: name, handlers: handlers)
            let key = DefinitionKey(name: definition.name, version: definition.version)
            if let other = origins[key] {
                throw DefinitionError(file: name, step: nil, reason: "\(key) is also defined in \(other)")
            }
            origins[key] = name
            definitions.append(definition)
        }
        return SagaCatalog(definitions)
    }

    private static func decode(_ file: URL, name: String) throws(DefinitionError) -> SagaDefinitionDocument {
        do {
            let data = try Data(contentsOf: file)
            if file.pathExtension == "json" {
                return try JSONDecoder().decode(SagaDefinitionDocument.self, from: data)
            }
            return try YAMLDecoder().decode(SagaDefinitionDocument.self, from: data)
        } catch let error as DecodingError {
            throw DefinitionError(file: name, step: nil, reason: describe(error))
        } catch {
            throw DefinitionError(file: name, step: nil, reason: "cannot read: \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
