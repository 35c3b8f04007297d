package import Foundation

/// What `enginedge.interview.dlq` receives for a message that could not be handled: the
/// original (bounded, so the record itself always fits on the broker), why, how often it
/// was tried, and where it came from.
package struct DeadLetterRecord: Codable, Hashable, Sendable {
    package struct Failure: Codable, Hashable, Sendable {
        package var code: String
        package var message: String
        package var timestamp: String
    }

    /// At most this many bytes of the original are kept.
    package static let maximumExcerpt = 64 * 1024

    /// The original as text (invalid UTF-8 replaced), cut at `maximumExcerpt` bytes.
    package var originalMessage: String
    /// The same bytes, base64, present only when they are not valid UTF-8.
    package var originalMessageBase64: String?
    package var originalKey: String?
    /// The original's full size in bytes, and whether the copy above was cut.
    package var originalSize: Int
    package var originalTruncated: Bool
    package var error: Failure
    package var retryCount: Int
    package var topic: String
    package var partition: Int32
    package var offset: Int64

    package init(
        original: [UInt8], key: [UInt8]?, rejection: EventRejection, retryCount: Int, topic: String, partition: Int32, offset: Int64, at now: Date
    ) {
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

    package func encoded() throws -> Data {
        try EventJSON.encoder.encode(self)
    }
}
