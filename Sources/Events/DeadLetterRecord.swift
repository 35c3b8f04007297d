import Foundation

/// What `enginedge.interview.dlq` receives for a message that could not be handled: the
/// original (bounded, so the record itself always fits on the broker), why, how often it
/// was tried, and where it came from.
public struct DeadLetterRecord: Codable, Hashable, Sendable {
    public struct Failure: Codable, Hashable, Sendable {
        public var code: String
        public var message: String
        public var timestamp: String
    }

    /// At most this many bytes of the original are kept.
    public static let maximumExcerpt = 64 * 1024

    /// The original as text (invalid UTF-8 replaced), cut at `maximumExcerpt` bytes.
    public var originalMessage: String
    /// The same bytes, base64, present only when they are not valid UTF-8.
    public var originalMessageBase64: String?
    public var originalKey: String?
    /// The original's full size in bytes, and whether the copy above was cut.
    public var originalSize: Int
    public var originalTruncated: Bool
    public var error: Failure
    public var retryCount: Int
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(original: [UInt8], key: [UInt8]?, rejection: EventRejection, retryCount: Int, topic: String, partition: Int32, offset: Int64, at now: Date) {
        let excerpt = Array(original.prefix(Self.maximumExcerpt))
        originalMessage = String(decoding: excerpt, as: UTF8.self)
        originalMessageBase64 = String(validating: original, as: UTF8.self) == nil ? Data(excerpt).base64EncodedString() : nil
        originalKey = key.map { String(decoding: $0, as: UTF8.self) }
        originalSize = original.count
        originalTruncated = original.count > excerpt.count
        error = Failure(code: rejection.code.rawValue, message: rejection.description, timestamp: EventTimestamp.format(now))
        self.retryCount = retryCount
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public func encoded() throws -> Data {
        try EventJSON.encoder.encode(self)
    }
}
