import Events
import Foundation
import SagaCore
import Testing

/// Strict where the service needs fields, lenient about everything else, never crashing.
@Suite("Inbound event validation")
struct InboundEventDecoderTests {
    let decoder = InboundEventDecoder()

    /// A reply as the calendar service sends it, with a field this service does not know.
    static func availabilityJSON(eventID: String, requestID: String) -> String {
        #"{"eventId":"\#(eventID)","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"\#(requestID)","availability":[{"start":"2026-03-10T14:00:00Z","end":"2026-03-10T15:00:00Z","available":true}],"conflicts":[{"start":"2026-03-10T16:00:00Z","end":"2026-03-10T17:00:00Z","reason":"Existing meeting"}]},"metadata":{"service":"calendar","version":"1.0"},"futureField":42}"#
    }

    func rejection(_ text: String) -> EventRejection? {
        rejection(Array(text.utf8))
    }

    func rejection(_ bytes: [UInt8]) -> EventRejection? {
        do {
            _ = try decoder.availability(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func acceptsUnknownFieldsMetadataAndNonUUIDEventIDs() throws {
        let envelope = try decoder.availability(Array(Self.availabilityJSON(eventID: "calendar-service/42", requestID: "r").utf8))
        #expect(envelope.eventId == "calendar-service/42")
        #expect(envelope.metadata?.service == "calendar")
        #expect(envelope.data.conflicts.first?.reason == "Existing meeting")
    }

    /// The message is parsed once: the document handed back is the message as sent. A message
    /// the value parser refuses only for a field the service ignores is still accepted, read by
    /// JSONDecoder, without a document.
    @Test func theDocumentParsedOnTheWayIsTheMessage() throws {
        let text = Self.availabilityJSON(eventID: "e", requestID: "r")
        let (envelope, document) = try decoder.availabilityDocument(Array(text.utf8))
        #expect(envelope.data.requestId == "r")
        #expect(document == (try JSONValue(parsing: Data(text.utf8))))
        let huge = text.replacingOccurrences(of: #""futureField":42"#, with: #""futureField":1e400"#)
        let (accepted, none) = try decoder.availabilityDocument(Array(huge.utf8))
        #expect(accepted.data.requestId == "r")
        #expect(none == nil)
    }

    /// The value parser's strings: ASCII taken as it is, anything else checked as UTF-8.
    @Test func aWellFormedMessageWithABadByteInAStringIsAnEncodingError() throws {
        /// An availability message with `eventID`, and `member` (`,"name":value`) after it.
        func message(eventID: [UInt8], member: [UInt8] = []) -> [UInt8] {
            Array(#"{"eventId":""#.utf8) + eventID + [0x22] + member
                + Array(
                    #","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"r","availability":[],"conflicts":[]}}"#
                        .utf8)
        }
        #expect(rejection(message(eventID: [0x78, 0xC3, 0x28]))?.code == .invalidEncoding)
        #expect(rejection(message(eventID: [0x78, 0x80]))?.code == .invalidEncoding)
        #expect(rejection(message(eventID: Array(#"x\n"#.utf8) + [0xC3, 0x28]))?.code == .invalidEncoding, "after an escape")
        #expect(rejection(message(eventID: [0x78, 0xC3] + Array(#"\u00e9"#.utf8)))?.code == .invalidEncoding, "cut off by an escape")
        let badName = message(eventID: Array("x".utf8), member: Array(",".utf8) + [0x22, 0xFF, 0x22] + Array(":1".utf8))
        #expect(rejection(badName)?.code == .invalidEncoding, "in a member's name")
        let badMetadata = message(
            eventID: Array("x".utf8), member: Array(#","metadata":{"service":"s","version":"1","note":""#.utf8) + [0xFF] + Array(#""}"#.utf8))
        #expect(rejection(badMetadata)?.code == .invalidEncoding, "in metadata, which is otherwise ignored")
        #expect(try decoder.availability(message(eventID: Array("é-漢-😀".utf8))).eventId == "é-漢-😀")
        #expect(try decoder.availability(message(eventID: Array(#"\u00e9t\u00e9"#.utf8))).eventId == "été")
        #expect(try decoder.availability(message(eventID: Array("plain-1".utf8))).eventId == "plain-1")
    }

    @Test func twoMegabytesAreRefusedBeforeParsing() {
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024)
        #expect(rejection(huge)?.code == .payloadTooLarge)
    }

    @Test func eachProblemNamesItsField() {
        #expect(rejection("{")?.code == .malformedJSON)
        #expect(rejection("[1,2]")?.code == .malformedJSON)
        #expect(rejection([0x7b, 0xc3, 0x28, 0x7d])?.code == .invalidEncoding)
        #expect(rejection(#"{"eventType":"scheduling.requested"}"#)?.code == .unexpectedEventType)
        let missing = rejection(
            #"{"eventId":"x","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"availability":[],"conflicts":[]}}"#)
        #expect(missing?.description == "data.requestId: is required")
        let badTime = rejection(
            #"{"eventId":"x","eventType":"scheduling.availability","timestamp":"yesterday","data":{"requestId":"r","availability":[],"conflicts":[]}}"#
        )
        #expect(badTime?.field == "timestamp")
        let backwards = rejection(
            #"{"eventId":"x","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"r","availability":[{"start":"2026-03-10T15:00:00Z","end":"2026-03-10T14:00:00Z","available":true}],"conflicts":[]}}"#
        )
        #expect(backwards?.field == "data.availability[0].end")
        let emptyID = rejection(
            #"{"eventId":"","eventType":"scheduling.availability","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"r","availability":[],"conflicts":[]}}"#
        )
        #expect(emptyID?.field == "eventId")
    }

    @Test func schedulingRequestsNeedAKnownZoneAndAPositiveDuration() {
        let request =
            #"{"eventId":"x","eventType":"scheduling.requested","timestamp":"2026-03-09T10:00:00Z","data":{"requestId":"r","candidateId":"c","interviewers":["a"],"duration":DURATION,"preferredTimes":[],"timezone":"ZONE"}}"#
        func problem(_ duration: String, _ zone: String) -> EventRejection? {
            do {
                _ = try decoder.schedulingRequest(
                    Array(request.replacingOccurrences(of: "DURATION", with: duration).replacingOccurrences(of: "ZONE", with: zone).utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(problem("60", "America/New_York") == nil)
        #expect(problem("0", "America/New_York")?.field == "data.duration")
        #expect(problem("60", "Mars/Olympus")?.description == "data.timezone: unknown time zone \"Mars/Olympus\"")
    }
}
