import Foundation
import SagaCore
import Testing

/// Reading typed values straight from a `JSONValue` gives what `JSONDecoder` gives from the
/// value's text, for every shape saga data takes, and refuses what it refuses.
@Suite("Typed values read straight from JSONValue")
struct JSONValueDecoderTests {
    enum Stage: String, Codable, Equatable { case asked, booked }
    enum Priority: Int, Codable, Equatable { case low = 1, high = 2 }
    enum Outcome: Codable, Equatable {
        case booked(eventID: String, attempts: Int)
        case failed(String)
        case none
    }

    struct Slot: Codable, Equatable {
        var start: String
        var minutes: Int
        var weight: Double
        var ratio: Float
    }

    struct Everything: Codable, Equatable {
        var id: String
        var flag: Bool
        var stage: Stage
        var priority: Priority
        var outcome: Outcome
        var small: Int8
        var unsigned: UInt
        var big: Int64
        var slots: [Slot]
        var nested: [[Int?]]
        var byName: [String: Int]
        var byNumber: [Int: String]
        var optionalPresent: String?
        var optionalNull: String?
        var optionalMissing: Slot?
        var when: Date
        var link: URL
        var bytes: Data
        var amount: Decimal
    }

    static let sample = Everything(
        id: "req-1", flag: true, stage: .booked, priority: .high, outcome: .booked(eventID: "e-1", attempts: 2), small: -8,
        unsigned: 42, big: 9_007_199_254_740_000,
        slots: [Slot(start: "2026-03-10T14:00:00Z", minutes: 45, weight: 0.25, ratio: 1.5)], nested: [[1, nil, 3], []],
        byName: ["a": 1, "b": 2], byNumber: [1: "one", 20: "twenty"], optionalPresent: "here", optionalNull: nil, optionalMissing: nil,
        when: Date(timeIntervalSinceReferenceDate: 812_345_678.5), link: URL(string: "https://meet.example/abc?x=1")!,
        bytes: Data([0, 1, 254, 255]), amount: Decimal(string: "12.34")!)

    func viaText<T: Decodable>(_ type: T.Type, _ value: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: value.jsonText())
    }

    @Test func everyShapeReadsAsJSONDecoderReadsIt() throws {
        var object = try JSONValue.encoding(Self.sample)
        // A null the encoder would have left out, as data written by hand may have it.
        if case .object(var fields) = object {
            fields["optionalNull"] = .null
            object = .object(fields)
        }
        #expect(try object.decoded(as: Everything.self) == viaText(Everything.self, object))
        #expect(try object.decoded(as: Everything.self) == Self.sample)
    }

    @Test func typesWithoutDataURLOrDecimalAreReadWithoutText() throws {
        struct Plain: Codable, Equatable {
            var stage: Stage
            var outcome: Outcome
            var slots: [Slot]
            var byNumber: [Int: String]
            var nested: [[Int?]]
            var when: Date
        }
        let plain = Plain(
            stage: Self.sample.stage, outcome: .failed("no"), slots: Self.sample.slots, byNumber: Self.sample.byNumber, nested: Self.sample.nested,
            when: Self.sample.when)
        let value = try JSONValue.encoding(plain)
        #expect(try Plain(from: JSONValueDecoder(value)) == plain, "read straight, with no fallback to text")
        #expect(try Plain(from: JSONValueDecoder(value)) == viaText(Plain.self, value))
    }

    @Test func whatJSONDecoderRefusesIsRefused() throws {
        let refused: [(String, JSONValue)] = [
            ("a fraction for an Int", ["id": "x", "minutes": 1.5]),
            ("too large for an Int8", ["small": 300]),
            ("negative for a UInt", ["unsigned": -1]),
            ("a number for a String", ["id": 3]),
            ("a string for a Bool", ["flag": "true"]),
            ("null for a required member", ["id": .null]),
            ("an unknown enum case", ["stage": "lost"]),
            ("an array for an object", [1, 2]),
        ]
        struct Small: Codable {
            var id: String?
            var minutes: Int?
            var small: Int8?
            var unsigned: UInt?
            var flag: Bool?
            var stage: Stage?
        }
        struct Required: Codable { var id: String }
        for (reason, value) in refused {
            let type: any Decodable.Type = reason.hasPrefix("null") ? Required.self : Small.self
            #expect(throws: DecodingError.self, "\(reason)") { _ = try type.init(from: JSONValueDecoder(value)) }
            #expect(throws: DecodingError.self, "\(reason)") { _ = try JSONDecoder().decode(type, from: value.jsonText()) }
        }
        #expect(throws: DecodingError.self) { _ = try JSONValue.object(["id": 3]).decoded(as: Required.self) }
    }
}
