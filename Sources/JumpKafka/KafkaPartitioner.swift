import CRdKafka

/// How a producer chooses a key's partition: librdkafka's `partitioner` property, and the same computation for a
/// reader that checks where a key belongs.
///
/// Clients disagree by default: librdkafka (and so kcat and confluent-kafka) hash keys with CRC32
/// (`consistent_random`); the Java client, kafka-python and most others with murmur2 (`murmur2_random`).
/// jump-relay's producers use ``murmur2Random``, so the most common clients agree.
public struct KafkaPartitioner: Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's name for it (the `partitioner` property).
    public let name: String
    private let hash: Hash

    private enum Hash: Sendable, Hashable {
        case murmur2, crc32
    }

    /// murmur2 of the key, as the Java client and kafka-python (`(murmur2(key) & 0x7fffffff) % partitions`);
    /// keyless messages go to a random partition.
    public static let murmur2Random = KafkaPartitioner(name: "murmur2_random", hash: .murmur2)

    /// CRC32 of the key, librdkafka's default (`crc32(key) % partitions`); keyless messages go to a random partition.
    public static let consistentRandom = KafkaPartitioner(name: "consistent_random", hash: .crc32)

    /// The partitioners a key's place can be computed for.
    public static let all = [murmur2Random, consistentRandom]

    /// The partitioner librdkafka calls `name`, or `nil` when it is not one of ``all``.
    public init?(name: String) {
        guard let known = Self.all.first(where: { $0.name == name }) else { return nil }
        self = known
    }

    private init(name: String, hash: Hash) {
        self.name = name
        self.hash = hash
    }

    /// The partition a non-empty `key` goes to among `partitionCount` partitions: librdkafka's own computation, so
    /// it agrees with every client using the same hash.
    public func partition(of key: some Collection<UInt8>, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        // A native string's UTF-8 and an array are contiguous: hashed in place, nothing copied.
        return key.withContiguousStorageIfAvailable { partition(of: UnsafeRawBufferPointer($0), partitionCount) }
            ?? Array(key).withUnsafeBytes { partition(of: $0, partitionCount) }
    }

    private func partition(of bytes: UnsafeRawBufferPointer, _ partitionCount: Int32) -> Int32 {
        switch hash {
        case .murmur2:
            rd_kafka_msg_partitioner_murmur2(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        case .crc32:
            rd_kafka_msg_partitioner_consistent(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        }
    }

    /// Its librdkafka name.
    public var description: String { name }
}
