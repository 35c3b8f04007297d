import Foundation

extension JSONValue {
    /// The JSON form of a Codable value, for saga data and event payloads.
    package static func encoding(_ value: some Encodable) throws -> JSONValue {
        try JSONValueEncoder().encode(value)
    }

    /// Reads saga data back as a Codable value.
    package func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONValueDecoder().decode(T.self, from: self)
    }
}

extension [String: JSONValue] {
    /// Saga data from a Codable value that encodes as a JSON object: one typed struct per
    /// saga, with no string keys outside it.
    package init(encoding value: some Encodable) throws {
        guard case .object(let fields) = try JSONValue.encoding(value) else {
            throw DecodingError.typeMismatch(
                [String: JSONValue].self, .init(codingPath: [], debugDescription: "saga data must encode as a JSON object"))
        }
        self = fields
    }

    /// The saga data read back as its typed struct.
    package func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONValue.object(self).decoded(as: type)
    }
}
