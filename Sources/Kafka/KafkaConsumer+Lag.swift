import CRdKafka

/// How far one assigned partition is behind its end.
package struct KafkaPartitionLag: Hashable, Sendable {
    package var topic: String
    package var partition: Int32
    /// Messages between the consumer's position and the partition's end, as last seen.
    package var lag: Int64
}

extension KafkaConsumer {
    /// The lag of each assigned partition: the high watermark from the last fetch minus the
    /// position after the last message handed out (the low watermark before the first).
    /// Empty once closed or before an assignment.
    package func lag() -> [KafkaPartitionLag] {
        guard !isClosed else { return [] }
        var assignment: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handlePointer, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR, let list = assignment else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        _ = rd_kafka_position(handlePointer, list)
        var result: [KafkaPartitionLag] = []
        for index in 0..<Int(list.pointee.cnt) {
            let entry = list.pointee.elems[index]
            guard let topic = entry.topic else { continue }
            var low: Int64 = 0
            var high: Int64 = 0
            guard rd_kafka_get_watermark_offsets(handlePointer, topic, entry.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else {
                continue
            }
            let position = entry.offset >= 0 ? entry.offset : low
            result.append(KafkaPartitionLag(topic: String(cString: topic), partition: entry.partition, lag: max(0, high - position)))
        }
        return result
    }
}
