import CRdKafka
import Foundation
import Logging
import Synchronization

/// A consumer's asynchronous offset commits whose outcome has not arrived yet.
///
/// librdkafka retries a commit that meets a coordinator move with the offsets it was first
/// given, so an older commit can land after a newer one and move the group's position back.
/// The final commit on close therefore waits for these first, so that it is the last to land.
/// Owns the queue their outcomes arrive on, and keeps the client alive while it exists.
final class PendingCommits: @unchecked Sendable {
    private let handle: RDKafkaHandle
    private let queue: OpaquePointer
    private let count = Atomic<Int>(0)
    private let logger: Logger

    init(handle: RDKafkaHandle, logger: Logger) throws(KafkaError) {
        guard let queue = rd_kafka_queue_new(handle.pointer) else { throw .configuration("cannot create the commit result queue") }
        self.handle = handle
        self.queue = queue
        self.logger = logger
    }

    deinit {
        rd_kafka_queue_destroy(queue)
    }

    /// Commits the stored offsets asynchronously; the outcome arrives on the queue.
    func commitStored() throws(KafkaError) {
        count.add(1, ordering: .relaxed)
        let result = rd_kafka_commit_queue(handle.pointer, nil, queue, nil, nil)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            count.subtract(1, ordering: .relaxed)
            throw KafkaError(result, context: "commit")
        }
    }

    /// Takes every outcome that has arrived, waiting up to `milliseconds` for the first.
    func collect(waitingUpTo milliseconds: Int32) {
        var wait = milliseconds
        while let event = rd_kafka_queue_poll(queue, wait) {
            defer { rd_kafka_event_destroy(event) }
            wait = 0
            guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT else { continue }
            count.subtract(1, ordering: .relaxed)
            let error = rd_kafka_event_error(event)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR, error != RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.debug("asynchronous offset commit failed; a later one carries the position", metadata: ["error": "\(KafkaError(error))"])
            }
        }
    }

    /// Waits until every commit made so far has its outcome, for up to `timeout`; false if
    /// some are still out.
    func drain(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while count.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline { collect(waitingUpTo: 100) }
        return count.load(ordering: .relaxed) <= 0
    }
}
