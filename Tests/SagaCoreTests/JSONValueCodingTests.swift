import Foundation
import SagaCore
import SchedulerTesting
import Testing

/// The direct coders must write and read exactly what going through `JSONEncoder`'s and
/// `JSONDecoder`'s text did, for saga data stored by earlier versions to read back unchanged.
@Suite("Codable values written into and read from JSONValue directly")
struct JSONValueCodingTests {
    enum Kind: String, Codable, Equatable { case panel, single }

    enum Outcome: Codable, Equatable {
        case booked(at: Date, rooms: [String])
        case failed(String)
        case none
    }

    struct Inner: Codable, Equatable {
        var name: String
        var weight: Double
        var tags: [String]?
    }

    struct Everything: Codable, Equatable {
        var text: String
        var count: Int
        var big: Int64
        var small: UInt8
        var ratio: Float
        var flag: Bool
        var present: String?
        var absent: Int?
        var kind: Kind
        var outcome: Outcome
        var failure: Outcome
        var plain: Outcome
        var inner: Inner
        var list: [Inner]
        var matrix: [[Int]]
        var byName: [String: Int]
        var byNumber: [Int: String]
        var when: Date
        var bytes: Data
        var link: URL
        var raw: JSONValue
        var optionals: [Int?]
        var price: Decimal
        var loose: Loose
    }

    /// Reads each element as a number or else as text: a failed read must not use up the element.
    struct Loose: Codable, Equatable {
        var items: [String]

        init(items: [String]) { self.items = items }

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            items = []
            while !container.isAtEnd {
                if let number = try? container.decode(Int.self) { items.append("\(number)") } else { items.append(try container.decode(String.self)) }
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            for item in items { if let number = Int(item) { try container.encode(number) } else { try container.encode(item) } }
        }
    }

    static let everything = Everything(
        text: "é \"quoted\" \n 😀", count: -42, big: 1_700_000_000_123, small: 255, ratio: 0.1, flag: true, present: "here", absent: nil,
        kind: .panel, outcome: .booked(at: Date(timeIntervalSince1970: 1_773_150_000.5), rooms: ["a", "b"]), failure: .failed("busy"),
        plain: .none, inner: Inner(name: "x", weight: 1.5, tags: nil),
        list: [Inner(name: "a", weight: 0, tags: []), Inner(name: "b", weight: -1e21, tags: ["t"])], matrix: [[], [1, 2], [3]],
        byName: ["one": 1, "two": 2], byNumber: [1: "one", 20: "twenty"], when: Date(timeIntervalSinceReferenceDate: 12.75),
        bytes: Data([0, 1, 2, 250, 255]), link: URL(string: "https://example.com/a?b=c")!,
        raw: ["nested": [1, "two", nil, true], "empty": [:]], optionals: [1, nil, 3], price: Decimal(string: "0.07") ?? 0,
        loose: Loose(items: ["1", "two", "3"]))

    @Test func writesWhatJSONEncodersTextSaid() throws {
        let direct = try JSONValueEncoder().encode(Self.everything)
        #expect(direct == (try JSONValue(parsing: JSONEncoder().encode(Self.everything))))
        #expect(try JSONValueEncoder().encode(Self.everything.inner) == (try JSONValue(parsing: JSONEncoder().encode(Self.everything.inner))))
        #expect(try JSONValueEncoder().encode([Self.everything.inner]) == (try JSONValue(parsing: JSONEncoder().encode([Self.everything.inner]))))
        #expect(try JSONValueEncoder().encode("top") == .string("top"))
    }

    @Test func readsWhatJSONDecoderRead() throws {
        let value = try JSONValue(parsing: JSONEncoder().encode(Self.everything))
        let direct = try JSONValueDecoder().decode(Everything.self, from: value)
        #expect(direct == Self.everything)
        #expect(direct == (try JSONDecoder().decode(Everything.self, from: value.jsonText())))
    }

    /// Random saga-like values, each through both pairs of coders.
    @Test func agreesWithTheFoundationCodersOnRandomValues() throws {
        var random = SeededGenerator(seed: 20_261_201)
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "é", "漢", "😀"]
        func text() -> String { String((0..<Int.random(in: 0..<8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        for _ in 0..<300 {
            let inner = (0..<Int.random(in: 0..<4, using: &random)).map { _ in
                Inner(
                    name: text(), weight: Double.random(in: -1e9...1e9, using: &random),
                    tags: Bool.random(using: &random) ? nil : (0..<Int.random(in: 0..<3, using: &random)).map { _ in text() })
            }
            let byName = Dictionary((0..<Int.random(in: 0..<4, using: &random)).map { _ in (text(), Int.random(in: -999...999, using: &random)) }) {
                first, _ in first
            }
            let value = JSONValue.object([
                "inner": .array(try inner.map { try JSONValueEncoder().encode($0) }), "byName": .object(byName.mapValues { .number(Double($0)) }),
            ])
            #expect(try JSONValueEncoder().encode(inner) == (try JSONValue(parsing: JSONEncoder().encode(inner))))
            #expect(try JSONValueDecoder().decode([Inner].self, from: try JSONValueEncoder().encode(inner)) == inner)
            #expect(
                try JSONValueDecoder().decode([String: JSONValue].self, from: value)
                    == (try JSONDecoder().decode([String: JSONValue].self, from: value.jsonText())))
        }
    }

    struct Counted: Codable { var count: Int }
    struct Byte: Codable { var byte: UInt8 }
    struct Ratio: Codable { var ratio: Float }
    struct Named: Codable { var name: String }
    struct Flagged: Codable { var flag: Bool }
    struct Pair: Codable {
        var pair: PairValues

        struct PairValues: Codable {
            var first: Int
            var second: Int

            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                first = try container.decode(Int.self)
                second = try container.decode(Int.self)
            }
        }
    }
    struct Blob: Codable { var blob: Data }
    struct Listed: Codable { var items: [Inner] }

    /// What `JSONDecoder` refuses, refused the same way: the same error, at the same path
    /// (except for corrupt data, where only this decoder names the member).
    static let refusals: [(text: String, read: @Sendable (JSONValue) throws -> Void, textRead: @Sendable (Data) throws -> Void)] = [
        refusal(#"{"count": 1.5}"#, Counted.self), refusal(#"{"count": "1"}"#, Counted.self), refusal(#"{}"#, Counted.self),
        refusal(#"{"count": null}"#, Counted.self), refusal(#"{"count": 1e300}"#, Counted.self), refusal(#"{"byte": 256}"#, Byte.self),
        refusal(#"{"byte": -1}"#, Byte.self), refusal(#"{"ratio": 1e300}"#, Ratio.self), refusal(#"{"name": 1}"#, Named.self),
        refusal(#"{"name": ["a"]}"#, Named.self), refusal(#"{"flag": 1}"#, Flagged.self), refusal(#"{"flag": "true"}"#, Flagged.self),
        refusal(#"{"pair": [1]}"#, Pair.self), refusal(#"{"pair": {"first": 1}}"#, Pair.self), refusal(#"{"blob": "not base64!"}"#, Blob.self),
        refusal(#"{"items": [{"name": "a", "weight": 1}, {"name": "b"}]}"#, Listed.self), refusal(#"{"items": {"name": "a"}}"#, Listed.self),
        refusal(#"[]"#, Counted.self),
    ]

    static func refusal<T: Decodable & Sendable>(
        _ text: String, _ type: T.Type
    ) -> (
        text: String, read: @Sendable (JSONValue) throws -> Void, textRead: @Sendable (Data) throws -> Void
    ) {
        (text, { _ = try JSONValueDecoder().decode(T.self, from: $0) }, { _ = try JSONDecoder().decode(T.self, from: $0) })
    }

    static func shape(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not a DecodingError: \(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "keyNotFound \(key.stringValue) at \(path(context))"
        case .valueNotFound(_, let context): return "valueNotFound at \(path(context))"
        case .typeMismatch(_, let context): return "typeMismatch at \(path(context))"
        // JSONDecoder gives no path for a number that does not fit; this decoder names the member.
        case .dataCorrupted: return "dataCorrupted"
        @unknown default: return "\(error)"
        }
    }

    @Test(arguments: refusals.indices)
    func refusesWhatJSONDecoderRefuses(_ index: Int) throws {
        let refusal = Self.refusals[index]
        let text = Data(refusal.text.utf8)
        let expected = #expect(throws: (any Error).self) { try refusal.textRead(text) }
        let direct = #expect(throws: (any Error).self) { try refusal.read(try JSONValue(parsing: text)) }
        #expect(direct.map(Self.shape) == expected.map(Self.shape), "\(refusal.text)")
    }

    @Test func refusesNumbersJSONCannotCarry() {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Inner(name: "x", weight: .nan, tags: nil)) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Double.infinity]) }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode([Double.infinity]) }
    }
}
