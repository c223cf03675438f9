/// A Kafka record header: a name and an optional value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name.
    public var name: String
    /// The header value; `nil` is a null value, distinct from an empty one.
    public var value: [UInt8]?

    /// A header with raw bytes.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is UTF-8 text.
    public init(name: String, text: String) {
        self.init(name: name, value: Array(text.utf8))
    }

    /// The value decoded as UTF-8, if it is valid UTF-8.
    public var text: String? { value.flatMap { String(validating: $0, as: UTF8.self) } }
}

/// A topic and one of its partitions.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number, from 0.
    public var partition: Int32

    /// Names one partition of a topic.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`.
    public var description: String { "\(topic)[\(partition)]" }

    /// Orders by topic, then partition.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// A position in a partition: an exact offset or one of librdkafka's logical offsets.
public struct KafkaOffset: Sendable, Hashable, CustomStringConvertible {
    /// The offset as librdkafka encodes it (logical offsets are negative).
    public let rawValue: Int64

    /// An exact offset: the next message to read is the one at `offset`.
    public static func exact(_ offset: Int64) -> KafkaOffset { KafkaOffset(rawValue: offset) }
    /// The oldest message the partition keeps.
    public static let beginning = KafkaOffset(rawValue: -2)
    /// After the newest message.
    public static let end = KafkaOffset(rawValue: -1)
    /// The group's committed offset, or `auto.offset.reset` without one.
    public static let committed = KafkaOffset(rawValue: -1000)

    /// The number, or `beginning`, `end`, `committed`.
    public var description: String {
        switch rawValue {
        case -2: "beginning"
        case -1: "end"
        case -1000: "committed"
        default: String(rawValue)
        }
    }
}

/// A message to produce.
public struct KafkaProducerMessage: Sendable {
    /// The topic to write to.
    public var topic: String
    /// The partition, or `nil` to let the producer's ``KafkaPartitioner`` choose from the key (murmur2 by default
    /// here, as the Java client and kafka-python; librdkafka's own default `consistent_random` is CRC32).
    public var partition: Int32?
    /// The key (bytes); messages with equal keys land in the same partition.
    public var key: ArraySlice<UInt8>?
    /// The value (bytes); `nil` is a tombstone.
    public var value: ArraySlice<UInt8>?
    /// Record headers, in order.
    public var headers: [KafkaHeader]

    /// A message with raw bytes.
    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []
    ) {
        self.init(topic: topic, partition: partition, key: key?[...], value: value?[...], headers: headers)
    }

    /// A message whose key and value are parts of larger buffers (lines of an input), sent without copying them
    /// first.
    public init(
        topic: String, partition: Int32? = nil, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?,
        headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// A message whose key and value are UTF-8 text.
    public init(topic: String, partition: Int32? = nil, key: String?, value: String, headers: [KafkaHeader] = []) {
        self.init(
            topic: topic, partition: partition, key: key.map { Array($0.utf8) }, value: Array(value.utf8),
            headers: headers)
    }
}

/// A message read by a ``KafkaConsumer``.
public struct KafkaConsumerMessage: Sendable {
    /// The topic and partition it was read from.
    public var topicPartition: KafkaTopicPartition
    /// Its offset in the partition.
    public var offset: Int64
    /// The key bytes, if any.
    public var key: [UInt8]?
    /// The value bytes, if any.
    public var value: [UInt8]?
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the epoch, if the record has one.
    public var timestampMilliseconds: Int64?

    /// Creates a consumed message (used by the consumer and by tests).
    public init(
        topicPartition: KafkaTopicPartition, offset: Int64, key: [UInt8]?, value: [UInt8]?,
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The key decoded as UTF-8, if valid.
    public var keyText: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
    /// The value decoded as UTF-8, if valid.
    public var valueText: String? { value.flatMap { String(validating: $0, as: UTF8.self) } }
    /// The first header with this name.
    public func header(_ name: String) -> KafkaHeader? { headers.first { $0.name == name } }
}

/// Where the broker stored an acknowledged message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// The topic and partition that holds it.
    public var topicPartition: KafkaTopicPartition
    /// Its offset there.
    public var offset: Int64
}

/// Something a ``KafkaConsumer`` poll returns.
public enum KafkaConsumerEvent: Sendable {
    /// A message.
    case message(KafkaConsumerMessage)
    /// The consumer has read everything the partition held; `nextOffset` is where the next message will be.
    case endOfPartition(KafkaTopicPartition, nextOffset: Int64)

    /// The message, if this event is one.
    public var message: KafkaConsumerMessage? {
        if case .message(let message) = self { return message }
        return nil
    }
}
