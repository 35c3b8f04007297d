import CCurl
import Foundation

/// The bytes of one message as libcurl reads them during `DATA`, through `readChunk`.
final class MessageUpload {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ content: Data) {
        bytes = Array(content)
    }

    /// Copies the next chunk into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// libcurl's read callback; `context` is the upload, unretained, alive for the transfer.
    static let readChunk: scheduler_curl_read_function = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        return Unmanaged<MessageUpload>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
    }
}
