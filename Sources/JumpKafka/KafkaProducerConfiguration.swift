/// How a ``KafkaProducer`` talks to Kafka. Every property names its librdkafka key; ``overrides`` passes
/// any other librdkafka property through (kcat's `-X key=value`) and wins over the typed ones.
public struct KafkaProducerConfiguration: Sendable {
    /// `bootstrap.servers`: brokers to contact first, as `host:port`.
    public var bootstrapServers: [String]
    /// `client.id`; default `jump-relay`.
    public var clientID: String = "jump-relay"
    /// `enable.idempotence`: exactly-once, in-order writes per partition despite retries; default `true`.
    public var isIdempotent: Bool = true
    /// `acks`: how many replicas must have a write before it counts; default ``Acks/all``.
    public var acks: Acks = .all
    /// `linger.ms`: how long to wait to fill a batch; default 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// `compression.codec`; default ``Compression/lz4`` (JSON events shrink about threefold).
    public var compression: Compression = .lz4
    /// `message.timeout.ms`: how long a message may wait for its acknowledgement, retries included, before it
    /// is reported as failed; default 30 s.
    public var messageTimeout: Duration = .seconds(30)
    /// `queue.buffering.max.messages`: messages waiting in the local queue at most; default 100,000.
    public var maximumQueuedMessages: Int = 100_000
    /// `partitioner`: how a key chooses its partition; default ``KafkaPartitioner/murmur2Random``, the Java
    /// client's and kafka-python's (librdkafka's own default is CRC32).
    public var partitioner: KafkaPartitioner = .murmur2Random
    /// Any librdkafka property, applied last (`-X key=value`).
    public var overrides: [String: String] = [:]

    /// A configuration for the given brokers with jump-relay's defaults.
    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// The flattened librdkafka properties.
    public var properties: [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            "enable.idempotence": String(isIdempotent),
            "acks": acks.value,
            "linger.ms": String(linger.wholeMilliseconds),
            "compression.codec": compression.value,
            "message.timeout.ms": String(messageTimeout.wholeMilliseconds),
            "queue.buffering.max.messages": String(maximumQueuedMessages),
            "partitioner": partitioner.name,
        ]
        properties.merge(overrides) { _, override in override }
        return properties
    }

    /// `acks` values.
    public struct Acks: Sendable, Hashable {
        let value: String
        /// Every in-sync replica (`-1`); required by the idempotent producer.
        public static let all = Acks(value: "all")
        /// The partition leader only (`1`).
        public static let leader = Acks(value: "1")
        /// No acknowledgement (`0`); delivery reports then prove nothing.
        public static let none = Acks(value: "0")
    }

    /// `compression.codec` values.
    public struct Compression: Sendable, Hashable {
        let value: String
        /// No compression.
        public static let none = Compression(value: "none")
        /// LZ4: fast, and lets the mock cluster keep about three times more.
        public static let lz4 = Compression(value: "lz4")
        /// Zstandard.
        public static let zstd = Compression(value: "zstd")
        /// gzip.
        public static let gzip = Compression(value: "gzip")
        /// Snappy.
        public static let snappy = Compression(value: "snappy")
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down, as librdkafka's `*.ms` properties want it.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
