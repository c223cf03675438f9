import CRdKafka

/// Conversions between `rd_kafka_topic_partition_list_t` and Swift values.
enum KafkaTopicPartitionList {
    /// Creates a list of the given partitions and offsets, calls `body` with it, and destroys it.
    static func with<R>(
        _ entries: [(KafkaTopicPartition, KafkaOffset)],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> R
    ) throws(KafkaError) -> R {
        let list = rd_kafka_topic_partition_list_new(Int32(entries.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (topicPartition, offset) in entries {
            rd_kafka_topic_partition_list_add(list, topicPartition.topic, topicPartition.partition).pointee.offset =
                offset.rawValue
        }
        return try body(list)
    }

    /// The entries of a list librdkafka handed over: partition, offset and per-partition error.
    static func entries(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>?
    ) -> [(topicPartition: KafkaTopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            let topicPartition = KafkaTopicPartition(
                topic: String(cString: element.topic), partition: element.partition)
            return (topicPartition, element.offset, element.err)
        }
    }

    /// The first per-partition error of a list, as a ``KafkaError``.
    static func firstError(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>, context: String
    ) -> KafkaError? {
        for entry in entries(list) where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .rdKafka(entry.error, context: "\(context) \(entry.topicPartition)")
        }
        return nil
    }
}
