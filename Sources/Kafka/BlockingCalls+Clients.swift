/// The clients' calls that block for a while (a flush, leaving the group), as async calls
/// that wait on a thread of their own (`BlockingCalls`): no cooperative thread waits on
/// librdkafka, so a client's shutdown never stalls the other tasks of the process.
extension KafkaConsumer {
    /// Commits the handled positions, leaves the group and stops. Waiting callers get nil.
    /// Leaving the group is given up after `leaveLimit` (see `closeLimit`).
    package func close(leaveLimit: Duration = KafkaConsumer.closeLimit) async {
        await BlockingCalls.run { self.closeBlocking(leaveLimit: leaveLimit) }
    }

    /// Waits up to `timeout` until every commit made so far has its outcome from the broker;
    /// false if some are still out.
    package func waitForCommits(within timeout: Duration = .seconds(10)) async -> Bool {
        await BlockingCalls.run { self.waitForCommitsBlocking(within: timeout) }
    }
}

extension KafkaProducer {
    /// Waits up to `timeout` for queued messages to be delivered.
    package func flush(timeout: Duration = .seconds(10)) async -> Bool {
        await BlockingCalls.run { self.flushBlocking(timeout: timeout) }
    }

    /// Flushes, stops polling and fails whoever still waits; later sends fail at once. Call
    /// before dropping the producer, so that queued messages get out.
    package func shutdown(timeout: Duration = .seconds(10)) async {
        await BlockingCalls.run { self.shutdownBlocking(timeout: timeout) }
    }
}
