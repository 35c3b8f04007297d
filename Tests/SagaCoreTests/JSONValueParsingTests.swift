import Foundation
import SagaCore
import SchedulerTesting
import Testing

@Suite("JSONValue read and written straight as JSON text")
struct JSONValueParsingTests {
    static func viaDecoder(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let documents = [
        #"{}"#, #"[]"#, #"null"#, #"true"#, #"false"#, #"0"#, #"-0"#, #"12.5e-3"#, #"-1E+2"#, #"1e308"#, #"123456789012345678"#,
        #""plain""#, #""with \"quotes\" and \\ and \/ and \b\f\n\r\t""#, #""\u00e9t\u00E9 \ud83d\ude00 \u0000""#, #""é ü 漢字 😀""#,
        #" { "a" : [ 1 , 2 , { "b" : null } ] , "c" : { } , "d" : "" } "#, #"[[[[[]]]]]"#, #"{"dup": 1, "dup": 2}"#,
        #"{"requestId":"req-1","conflicts":[{"start":"2026-03-10T15:00:00Z","end":"2026-03-10T16:00:00Z","reason":"busy"}],"n":3}"#,
    ]

    @Test(arguments: documents)
    func readsWhatJSONDecoderReads(_ text: String) throws {
        #expect(try JSONValue(parsing: Data(text.utf8)) == Self.viaDecoder(text))
        #expect(try JSONValue(parsing: Array(text.utf8)) == Self.viaDecoder(text), "from an array of bytes as from Data")
    }

    static let malformed = [
        "", " ", "{", "}", "[1,]", "[,1]", #"{"a":}"#, #"{"a" 1}"#, #"{a:1}"#, "{'a':1}", "01", "1.", ".5", "-", "1e", "+1", "1e999",
        "tru", "nul", "truex", #""unterminated"#, "\"tab\tinside\"", #""\x""#, #""\u12""#, #""\ud83d""#, #""\ude00""#, "[1] [2]",
        "NaN", "Infinity", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ]

    @Test(arguments: malformed)
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data(text.utf8)) }
    }

    /// Strings without escapes (ASCII taken as it is, the rest checked) and with them (checked
    /// after unescaping), member names, and bytes outside strings.
    @Test(
        arguments: [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0x61, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22],
            [0x22, 0xC3] + Array(#"\u00e9""#.utf8), [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], [0x5B, 0x31, 0x2C, 0xFF, 0x5D],
        ] as [[UInt8]])
    func refusesBytesThatAreNotUTF8(_ bytes: [UInt8]) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data(bytes)) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: bytes) }
    }

    /// Random values, written by JSONEncoder, read back unchanged.
    @Test func readsBackEveryValueJSONEncoderWrites() throws {
        var random = SeededGenerator(seed: 20_261_130)
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "漢", "😀", "\u{7F}", "\u{2028}"]
        func string() -> String { String((0..<Int.random(in: 0..<12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2:
                return .number(
                    Bool.random(using: &random)
                        ? Double(Int.random(in: -1_000_000...1_000_000, using: &random)) : Double.random(in: -1e12...1e12, using: &random))
            case 3: return .string(string())
            case 4: return .array((0..<Int.random(in: 0..<5, using: &random)).map { _ in value(depth + 1) })
            default:
                return .object(
                    Dictionary((0..<Int.random(in: 0..<5, using: &random)).map { _ in (string(), value(depth + 1)) }) { first, _ in first })
            }
        }
        for _ in 0..<500 {
            let original = value(0)
            #expect(try JSONValue(parsing: JSONEncoder().encode(original)) == original)
            let written = try original.jsonText()
            #expect(try JSONDecoder().decode(JSONValue.self, from: written) == original, "what it writes, JSONDecoder reads back")
            #expect(try JSONValue(parsing: written) == original)
        }
    }

    @Test func writesMembersSortedAndRefusesWhatJSONCannotCarry() throws {
        let value = JSONValue.object(["b": .number(1.5), "a": .array([.number(3), .number(-1e21), .null, .bool(true)]), "c": .string("x/\"\u{1}\n")])
        #expect(String(decoding: try value.jsonText(), as: UTF8.self) == #"{"a":[3,-1e+21,null,true],"b":1.5,"c":"x/\"\u0001\n"}"#)
        #expect(throws: EncodingError.self) { try JSONValue.number(.nan).jsonText() }
        #expect(throws: EncodingError.self) { try JSONValue.array([.number(.infinity)]).jsonText() }
    }
}
