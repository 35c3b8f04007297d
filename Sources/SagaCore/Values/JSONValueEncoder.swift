import Foundation

/// Writes an `Encodable` straight into a `JSONValue`, as `JSONEncoder` with its default
/// strategies would write it: `Data` as base64, `Date` as seconds since 2001, `URL` as its
/// absolute string, and a non-finite number refused.
package struct JSONValueEncoder: Sendable {
    package init() {}

    package func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Slot()
        try ValueEncoder(root, at: []).box(value)
        guard let encoded = root.value else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(type(of: value)) did not encode any values."))
        }
        return encoded
    }
}

/// Where one value goes: filled once by a single value, or grown member by member (or
/// element by element) through containers that share it.
private final class Slot {
    private enum Content {
        case empty
        case value(JSONValue)
        case members([String: Slot])
        case elements([Slot])
    }

    private var content = Content.empty

    /// What was written here; nil when nothing was.
    var value: JSONValue? {
        switch content {
        case .empty: nil
        case .value(let value): value
        case .members(let members): .object(members.mapValues { $0.value ?? .object([:]) })
        case .elements(let elements): .array(elements.map { $0.value ?? .object([:]) })
        }
    }

    func set(_ value: JSONValue) { content = .value(value) }

    /// The slot of member `name`, made an object first if it is not one.
    func member(_ name: String) -> Slot {
        guard case .members(var members) = content else {
            let slot = Slot()
            content = .members([name: slot])
            return slot
        }
        if let existing = members[name] { return existing }
        let slot = Slot()
        content = .empty  // leaves `members` the only reference, so the insertion does not copy
        members[name] = slot
        content = .members(members)
        return slot
    }

    /// A new last element, the slot made an array first if it is not one.
    func appended() -> Slot {
        let slot = Slot()
        guard case .elements(var elements) = content else {
            content = .elements([slot])
            return slot
        }
        content = .empty
        elements.append(slot)
        content = .elements(elements)
        return slot
    }

    func makeObject() { if case .members = content {} else { content = .members([:]) } }
    func makeArray() { if case .elements = content {} else { content = .elements([]) } }

    var count: Int {
        switch content {
        case .members(let members): members.count
        case .elements(let elements): elements.count
        case .empty, .value: 0
        }
    }
}

/// Encodes into one slot; its path is the container's and its key there, joined only when
/// asked (as `ValueDecoder` keeps it).
private struct ValueEncoder: Encoder {
    let slot: Slot
    let containerPath: [any CodingKey]
    let key: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ slot: Slot, at containerPath: [any CodingKey], key: (any CodingKey)? = nil) {
        self.slot = slot
        self.containerPath = containerPath
        self.key = key
    }

    var codingPath: [any CodingKey] { key.map { containerPath + [$0] } ?? containerPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.makeObject()
        return KeyedEncodingContainer(KeyedSlots<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.makeArray()
        return ListedSlots(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    /// Writes `value`, with the types `JSONEncoder` writes in its own way.
    func box<T: Encodable>(_ value: T) throws {
        if T.self == JSONValue.self, let json = value as? JSONValue {
            slot.set(json)
        } else if T.self == Data.self, let data = value as? Data {
            slot.set(.string(data.base64EncodedString()))
        } else if T.self == URL.self, let url = value as? URL {
            slot.set(.string(url.absoluteString))
        } else if T.self == Decimal.self, let decimal = value as? Decimal {
            // JSONEncoder writes the decimal's text, which the value then read as a Double.
            try number(Double(decimal.description) ?? NSDecimalNumber(decimal: decimal).doubleValue)
        } else {
            try value.encode(to: self)
        }
    }

    func number(_ number: Double) throws {
        guard number.isFinite else {
            throw EncodingError.invalidValue(number, .init(codingPath: codingPath, debugDescription: "Unable to encode \(number) directly in JSON."))
        }
        slot.set(.number(number))
    }

    /// An integer as a JSON value's number, which is a Double: beyond 2^53 it is rounded, as
    /// reading `JSONEncoder`'s text into a `JSONValue` rounded it.
    func integer<T: BinaryInteger>(_ value: T) throws {
        slot.set(.number(Double(value)))
    }
}

extension ValueEncoder: SingleValueEncodingContainer {
    func encodeNil() throws { slot.set(.null) }
    func encode(_ value: Bool) throws { slot.set(.bool(value)) }
    func encode(_ value: String) throws { slot.set(.string(value)) }
    func encode(_ value: Double) throws { try number(value) }
    /// As JSONEncoder's shortest text for the Float read back as a Double (0.1, not 0.100000001…).
    func encode(_ value: Float) throws { try number(Double("\(value)") ?? Double(value)) }
    func encode(_ value: Int) throws { try integer(value) }
    func encode(_ value: Int8) throws { try integer(value) }
    func encode(_ value: Int16) throws { try integer(value) }
    func encode(_ value: Int32) throws { try integer(value) }
    func encode(_ value: Int64) throws { try integer(value) }
    func encode(_ value: UInt) throws { try integer(value) }
    func encode(_ value: UInt8) throws { try integer(value) }
    func encode(_ value: UInt16) throws { try integer(value) }
    func encode(_ value: UInt32) throws { try integer(value) }
    func encode(_ value: UInt64) throws { try integer(value) }
    func encode<T: Encodable>(_ value: T) throws { try box(value) }
}

/// The members of an object being written.
private struct KeyedSlots<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    private func member(_ key: Key) -> ValueEncoder { ValueEncoder(slot.member(key.stringValue), at: codingPath, key: key) }

    mutating func encodeNil(forKey key: Key) throws { try member(key).encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try member(key).encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key).box(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        member(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { member(key).unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { ValueEncoder(slot.member("super"), at: codingPath, key: JSONValuePathKey("super")) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { member(key) }
}

/// The elements of an array being written.
private struct ListedSlots: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    var count: Int { slot.count }

    private func next() -> ValueEncoder {
        let index = slot.count
        return ValueEncoder(slot.appended(), at: codingPath, key: JSONValuePathKey(index: index))
    }

    mutating func encodeNil() throws { try next().encodeNil() }
    mutating func encode(_ value: Bool) throws { try next().encode(value) }
    mutating func encode(_ value: String) throws { try next().encode(value) }
    mutating func encode(_ value: Double) throws { try next().encode(value) }
    mutating func encode(_ value: Float) throws { try next().encode(value) }
    mutating func encode(_ value: Int) throws { try next().encode(value) }
    mutating func encode(_ value: Int8) throws { try next().encode(value) }
    mutating func encode(_ value: Int16) throws { try next().encode(value) }
    mutating func encode(_ value: Int32) throws { try next().encode(value) }
    mutating func encode(_ value: Int64) throws { try next().encode(value) }
    mutating func encode(_ value: UInt) throws { try next().encode(value) }
    mutating func encode(_ value: UInt8) throws { try next().encode(value) }
    mutating func encode(_ value: UInt16) throws { try next().encode(value) }
    mutating func encode(_ value: UInt32) throws { try next().encode(value) }
    mutating func encode(_ value: UInt64) throws { try next().encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try next().box(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { next() }
}
