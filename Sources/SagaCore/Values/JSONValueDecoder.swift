import Foundation

/// Reads a `Decodable` straight from a `JSONValue`, as `JSONDecoder` with its default
/// strategies reads the value's text: numbers must fit the type exactly, `Data` is base64,
/// `Date` is seconds since 2001, `URL` a string. Writing the value out only for
/// `JSONDecoder` to scan it again cost more than the decoding itself.
package struct JSONValueDecoder: Sendable {
    package init() {}

    package func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value, at: []).unwrap(as: T.self)
    }
}

/// One value being decoded, with where it is in the document: the path of its container and
/// its key there, joined only when asked (an error, a container of its own), so that reading a
/// member allocates nothing for its path.
private struct ValueDecoder: Decoder {
    let value: JSONValue
    let containerPath: [any CodingKey]
    let key: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, at containerPath: [any CodingKey], key: (any CodingKey)? = nil) {
        self.value = value
        self.containerPath = containerPath
        self.key = key
    }

    var codingPath: [any CodingKey] { key.map { containerPath + [$0] } ?? containerPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self) }
        return KeyedDecodingContainer(KeyedValues<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([JSONValue].self) }
        return ListedValues(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// The value as `T`, with the types `JSONDecoder` reads in its own way.
    func unwrap<T: Decodable>(as type: T.Type) throws -> T {
        if T.self == JSONValue.self, let same = value as? T { return same }
        if T.self == Data.self {
            guard case .string(let text) = value else { throw mismatch(String.self) }
            guard let data = Data(base64Encoded: text), let result = data as? T else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
            }
            return result
        }
        if T.self == URL.self {
            guard case .string(let text) = value else { throw mismatch(String.self) }
            guard let url = URL(string: text), let result = url as? T else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Invalid URL string."))
            }
            return result
        }
        if T.self == Decimal.self {
            // JSONDecoder read the decimal from the value's text, here the Double's shortest form.
            let number = try number(Decimal.self)
            guard let decimal = Decimal(string: "\(number)"), let result = decimal as? T else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Number \(number) does not fit in Decimal."))
            }
            return result
        }
        return try T(from: self)
    }

    func mismatch(_ expected: Any.Type) -> DecodingError {
        if case .null = value {
            return .valueNotFound(
                expected, .init(codingPath: codingPath, debugDescription: "Cannot get value of type \(expected) -- found null value instead"))
        }
        return .typeMismatch(expected, .init(codingPath: codingPath, debugDescription: "Expected to decode \(expected) but found \(kind) instead."))
    }

    private var kind: String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }

    func number(_ expected: Any.Type) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(expected) }
        return number
    }

    /// An integer type: only numbers it holds exactly.
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let number = try number(T.self)
        guard let exact = T(exactly: number) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Number \(number) is not representable in Swift."))
        }
        return exact
    }
}

extension ValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double { try number(Double.self) }

    func decode(_ type: Float.Type) throws -> Float {
        let number = try number(Float.self)
        guard number.magnitude <= Double(Float.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Number \(number) does not fit in Float."))
        }
        return Float(number)
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unwrap(as: T.self) }
}

/// The members of an object.
private struct KeyedValues<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    /// The member `key`, which must be present.
    private func member(_ key: Key) throws -> ValueDecoder {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return ValueDecoder(value, at: codingPath, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(key).decode(Bool.self) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(key).decode(String.self) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(key).decode(Double.self) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(key).decode(Float.self) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(key).integer(Int.self) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(key).integer(Int8.self) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(key).integer(Int16.self) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(key).integer(Int32.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(key).integer(Int64.self) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(key).integer(UInt.self) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(key).integer(UInt8.self) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(key).integer(UInt16.self) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(key).integer(UInt32.self) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(key).integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key).unwrap(as: T.self) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try member(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try member(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(members["super"] ?? .null, at: codingPath, key: JSONValuePathKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(members[key.stringValue] ?? .null, at: codingPath, key: key)
    }
}

/// The elements of an array, read in order.
private struct ListedValues: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// Reads the next element, which must exist, with `read`; the index moves past it only
    /// when that succeeds, as JSONDecoder's does (a caller may try another type).
    private mutating func next<T>(_ expected: Any.Type, _ read: (ValueDecoder) throws -> T) throws -> T {
        let key = JSONValuePathKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(expected, .init(codingPath: codingPath + [key], debugDescription: "Unkeyed container is at end."))
        }
        let value = try read(ValueDecoder(elements[currentIndex], at: codingPath, key: key))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self,
                .init(codingPath: codingPath + [JSONValuePathKey(index: currentIndex)], debugDescription: "Unkeyed container is at end."))
        }
        guard elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decode(Bool.self) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.decode(String.self) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decode(Double.self) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decode(Float.self) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.integer(Int.self) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.integer(Int8.self) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.integer(Int16.self) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.integer(Int32.self) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.integer(Int64.self) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.integer(UInt.self) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.integer(UInt8.self) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.integer(UInt16.self) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.integer(UInt32.self) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.integer(UInt64.self) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.unwrap(as: T.self) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: JSONValue].self) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([JSONValue].self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next(JSONValue.self) { $0 } }
}

/// A coding key for array positions and `super`; a position's name is made only when asked.
struct JSONValuePathKey: CodingKey {
    private let name: String?
    let intValue: Int?

    init(_ name: String) {
        self.name = name
        intValue = nil
    }

    init(index: Int) {
        name = nil
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) { self.init(index: intValue) }

    var stringValue: String { name ?? "Index \(intValue ?? 0)" }
}
