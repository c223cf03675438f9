/// How a ``KafkaConsumer`` joins its group. Every property names its librdkafka key; ``overrides`` passes any
/// other librdkafka property through (kcat's `-X key=value`) and wins over the typed ones, except
/// `enable.auto.offset.store`, which stays `false`: offsets are stored only when the caller says so.
public struct KafkaConsumerConfiguration: Sendable {
    /// `bootstrap.servers`: brokers to contact first, as `host:port`.
    public var bootstrapServers: [String]
    /// `group.id`: the consumer group.
    public var groupID: String
    /// The topics to subscribe to.
    public var topics: [String]
    /// `client.id`; default `jump-relay`.
    public var clientID: String = "jump-relay"
    /// `auto.offset.reset`: where to start when there is no start offset; default ``OffsetReset/earliest``,
    /// so a backlog is never skipped silently.
    public var offsetReset: OffsetReset = .earliest
    /// `enable.auto.commit`: commit the offsets the caller stored, every ``autoCommitInterval``; default `true`.
    public var isAutoCommitEnabled: Bool = true
    /// `auto.commit.interval.ms`; default 5 s.
    public var autoCommitInterval: Duration = .seconds(5)
    /// `session.timeout.ms`: how long a silent member keeps its partitions; default 45 s.
    public var sessionTimeout: Duration = .seconds(45)
    /// `heartbeat.interval.ms`; default 3 s (keep it at most a third of ``sessionTimeout``).
    public var heartbeatInterval: Duration = .seconds(3)
    /// `enable.partition.eof`: report reaching the end of a partition; default `true`.
    public var reportsEndOfPartition: Bool = true
    /// `queued.max.messages.kbytes`: how much librdkafka fetches ahead of the application, in KiB; default 65,536
    /// (librdkafka's), which lets a consumer of a backlog hold 64 MiB of messages it has not been given yet.
    public var prefetchKilobytes: Int = 65_536
    /// Any librdkafka property, applied last (`-X key=value`).
    public var overrides: [String: String] = [:]

    /// A configuration for one group and its topics with jump-relay's defaults.
    public init(bootstrapServers: [String], groupID: String, topics: [String]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.topics = topics
    }

    /// The flattened librdkafka properties.
    public var properties: [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "group.id": groupID,
            "client.id": clientID,
            "auto.offset.reset": offsetReset.value,
            "enable.auto.commit": String(isAutoCommitEnabled),
            "auto.commit.interval.ms": String(autoCommitInterval.wholeMilliseconds),
            "session.timeout.ms": String(sessionTimeout.wholeMilliseconds),
            "heartbeat.interval.ms": String(heartbeatInterval.wholeMilliseconds),
            "enable.partition.eof": String(reportsEndOfPartition),
            "queued.max.messages.kbytes": String(prefetchKilobytes),
        ]
        properties.merge(overrides) { _, override in override }
        properties["enable.auto.offset.store"] = "false"
        return properties
    }

    /// `auto.offset.reset` values.
    public struct OffsetReset: Sendable, Hashable, CustomStringConvertible {
        let value: String
        /// `earliest`, `latest` or `error`, as librdkafka names it.
        public var description: String { value }
        /// Start at the oldest message kept.
        public static let earliest = OffsetReset(value: "earliest")
        /// Start after the newest message.
        public static let latest = OffsetReset(value: "latest")
        /// Report ``KafkaError/Kind/offsetOutOfRange`` instead of choosing.
        public static let error = OffsetReset(value: "error")
    }
}
