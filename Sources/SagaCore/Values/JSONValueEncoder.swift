import Foundation

/// Writes an `Encodable` value straight into a `JSONValue`, as `JSONEncoder` with its default
/// strategies followed by a parse of its text would: every saga step that changes its typed
/// data stores it this way.
///
/// `Date` writes seconds since 2001, as `JSONEncoder`'s default does. `Data`, `URL` and
/// `Decimal`, which `JSONEncoder` writes in ways of its own, and numbers JSON cannot carry,
/// throw here; `JSONValue.encoding(_:)` then goes through `JSONEncoder`.
package struct JSONValueEncoder {
    package init() {}

    package func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Slot(codingPath: [])
        try root.write(value)
        return root.built
    }
}

/// One value of the tree being built. Containers add child slots, which are turned into
/// the `JSONValue` at the end (a child's container may still be written to after it was
/// handed out, so nothing is copied early).
private final class Slot: Encoder {
    enum Node {
        case empty
        case value(JSONValue)
        case object(Members)
        case array(Elements)
    }

    final class Members {
        var slots: [String: Slot] = [:]
    }

    final class Elements {
        var slots: [Slot] = []
    }

    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node = Node.empty

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    /// The value built; a value that wrote nothing is an empty object, as with `JSONEncoder`.
    var built: JSONValue {
        switch node {
        case .empty: .object([:])
        case .value(let value): value
        case .object(let members): .object(members.slots.mapValues(\.built))
        case .array(let elements): .array(elements.slots.map(\.built))
        }
    }

    func write<T: Encodable>(_ value: T) throws {
        switch value {
        case let text as String:
            node = .value(.string(text))
        case let flag as Bool:
            node = .value(.bool(flag))
        case let number as Double:
            node = .value(.number(try finite(number)))
        case let number as Float:
            node = .value(.number(try finite(Double(number))))
        case let integer as any FixedWidthInteger:
            guard let number = Double(exactly: integer) else { throw refusal(value, "\(integer) would be read back inexactly") }
            node = .value(.number(number))
        case is Data, is URL, is Decimal:
            throw refusal(value, "\(T.self) is written through JSON text")
        default:
            try value.encode(to: self)
        }
    }

    private func finite(_ number: Double) throws -> Double {
        guard number.isFinite else { throw refusal(number, "Unable to encode \(number) directly in JSON.") }
        return number
    }

    private func refusal(_ value: Any, _ reason: String) -> EncodingError {
        .invalidValue(value, .init(codingPath: codingPath, debugDescription: reason))
    }

    func child(_ key: any CodingKey) -> Slot {
        Slot(codingPath: codingPath + [key])
    }

    /// The members of this value; the same ones if a type asks for its container twice.
    var members: Members {
        if case .object(let members) = node { return members }
        let members = Members()
        node = .object(members)
        return members
    }

    var elements: Elements {
        if case .array(let elements) = node { return elements }
        let elements = Elements()
        node = .array(elements)
        return elements
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(slot: self, members: members))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(slot: self, elements: elements)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValue(slot: self)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let members: Slot.Members
    var codingPath: [any CodingKey] { slot.codingPath }

    private func member(_ key: Key) -> Slot {
        let child = slot.child(key)
        members.slots[key.stringValue] = child
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { member(key).node = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key).write(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        member(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        member(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = Slot(codingPath: codingPath)
        members.slots["super"] = child
        return child
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { member(key) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let slot: Slot
    let elements: Slot.Elements
    var codingPath: [any CodingKey] { slot.codingPath }
    var count: Int { elements.slots.count }

    private func next() -> Slot {
        let child = slot.child(ElementKey(intValue: elements.slots.count))
        elements.slots.append(child)
        return child
    }

    mutating func encodeNil() throws { next().node = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try next().write(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        next().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { next().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { next() }
}

private struct SingleValue: SingleValueEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey] { slot.codingPath }

    mutating func encodeNil() throws { slot.node = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try slot.write(value) }
}

private struct ElementKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
