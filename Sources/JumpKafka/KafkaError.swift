import CRdKafka

/// The one error type of ``JumpKafka``.
///
/// It keeps librdkafka's own code (typed, as ``KafkaErrorCode``) when there is one, says whether the
/// failure is fatal for the client instance or worth retrying, and carries a message a person can act on.
/// Secret configuration values never appear in ``message``.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; extensible, so compare with the static members.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case configuration, broker, delivery, queueFull, timedOut, closed, offsetOutOfRange
            case invalidArgument, mockCluster
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A configuration property is unknown or has a value librdkafka refuses.
        public static let configuration = Kind(.configuration)
        /// librdkafka or a broker reported an error for a client operation.
        public static let broker = Kind(.broker)
        /// A produced message was not acknowledged; it may or may not be stored.
        public static let delivery = Kind(.delivery)
        /// The producer's local queue is full; wait for deliveries and try again.
        public static let queueFull = Kind(.queueFull)
        /// An operation did not finish in the time it was given.
        public static let timedOut = Kind(.timedOut)
        /// The client was closed, or is closing.
        public static let closed = Kind(.closed)
        /// A consumer's position is outside the partition's log (deleted by retention, or a new cluster).
        public static let offsetOutOfRange = Kind(.offsetOutOfRange)
        /// The caller passed a value the API cannot use.
        public static let invalidArgument = Kind(.invalidArgument)
        /// The in-memory mock cluster could not do what was asked.
        public static let mockCluster = Kind(.mockCluster)

        /// A short lowercase name, for logs and metrics labels.
        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// librdkafka's error code, when librdkafka reported the error.
    public let code: KafkaErrorCode?
    /// Whether the client instance is unusable from now on (for example a fenced idempotent producer).
    public let isFatal: Bool
    /// Whether the same operation may succeed if tried again later.
    public let isRetriable: Bool
    /// What went wrong and, where it helps, what to do about it.
    public let message: String
    /// Where in jump-relay the error was raised.
    public let file: String
    /// The line in ``file``.
    public let line: Int

    /// Creates an error; prefer the static factories.
    public init(
        kind: Kind, code: KafkaErrorCode? = nil, isFatal: Bool = false, isRetriable: Bool? = nil, message: String,
        file: String = #fileID, line: Int = #line
    ) {
        self.kind = kind
        self.code = code
        self.isFatal = isFatal
        self.isRetriable = !isFatal && (isRetriable ?? code?.isRetriable ?? false)
        self.message = message
        self.file = file
        self.line = line
    }

    /// One line: kind, librdkafka code name, message, and flags.
    public var description: String {
        var text = "Kafka \(kind) error"
        if let code { text += " \(code.name)" }
        text += ": \(message)"
        if isFatal { text += " (fatal)" } else if isRetriable { text += " (retriable)" }
        return text
    }

    /// An error librdkafka reported as a bare code.
    static func rdKafka(
        _ raw: rd_kafka_resp_err_t, kind: Kind = .broker, context: String, isFatal: Bool = false,
        file: String = #fileID, line: Int = #line
    ) -> KafkaError {
        let code = KafkaErrorCode(rawValue: raw.rawValue)
        let resolvedKind: Kind
        switch code {
        case .queueFull: resolvedKind = .queueFull
        case .timedOut: resolvedKind = kind == .delivery ? .delivery : .timedOut
        case .offsetOutOfRange, .autoOffsetReset: resolvedKind = .offsetOutOfRange
        default: resolvedKind = kind
        }
        return KafkaError(
            kind: resolvedKind, code: code, isFatal: isFatal || code == .fatal,
            message: "\(context): \(code.text)", file: file, line: line)
    }

    /// An error librdkafka reported as an `rd_kafka_error_t`, which it destroys.
    static func consuming(
        _ error: OpaquePointer, kind: Kind = .broker, context: String, file: String = #fileID, line: Int = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = KafkaErrorCode(rawValue: rd_kafka_error_code(error).rawValue)
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? code.text
        return KafkaError(
            kind: code == .queueFull ? .queueFull : kind, code: code, isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || code.isRetriable,
            message: "\(context): \(text)", file: file, line: line)
    }
}

/// librdkafka's error code (`rd_kafka_resp_err_t`): local errors are negative, broker errors positive.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code as librdkafka defines it.
    public let rawValue: Int32
    /// Wraps a librdkafka code.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// librdkafka's symbolic name, such as `NOT_ENOUGH_REPLICAS` or `_MSG_TIMED_OUT`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
    /// librdkafka's human-readable text for the code.
    public var text: String { String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: rawValue))) }
    /// The symbolic name.
    public var description: String { name }

    /// Whether the code describes a transient condition (leadership change, timeouts, brokers down, ...).
    public var isRetriable: Bool { Self.retriable.contains(self) }

    /// No error.
    public static let noError = Self(RD_KAFKA_RESP_ERR_NO_ERROR)
    /// A fatal error was raised; the instance is unusable.
    public static let fatal = Self(RD_KAFKA_RESP_ERR__FATAL)
    /// The local producer queue is full.
    public static let queueFull = Self(RD_KAFKA_RESP_ERR__QUEUE_FULL)
    /// An operation timed out locally.
    public static let timedOut = Self(RD_KAFKA_RESP_ERR__TIMED_OUT)
    /// A message was not delivered within `message.timeout.ms`.
    public static let messageTimedOut = Self(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
    /// A connection to a broker failed.
    public static let transport = Self(RD_KAFKA_RESP_ERR__TRANSPORT)
    /// Every broker is down.
    public static let allBrokersDown = Self(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    /// The end of a partition was reached (consumer).
    public static let partitionEOF = Self(RD_KAFKA_RESP_ERR__PARTITION_EOF)
    /// `auto.offset.reset=error` found no valid position.
    public static let autoOffsetReset = Self(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET)
    /// A message was purged from the queue (at close).
    public static let purgedFromQueue = Self(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
    /// A message in flight was purged (at close).
    public static let purgedInFlight = Self(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
    /// The requested offset is outside the partition's log.
    public static let offsetOutOfRange = Self(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
    /// The topic or partition does not exist.
    public static let unknownTopicOrPartition = Self(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    /// The partition's leader is not available.
    public static let leaderNotAvailable = Self(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
    /// The broker is not the partition's leader.
    public static let notLeaderForPartition = Self(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
    /// The broker's request timed out.
    public static let requestTimedOut = Self(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
    /// Too few in-sync replicas to accept the write.
    public static let notEnoughReplicas = Self(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
    /// The write was accepted by too few in-sync replicas.
    public static let notEnoughReplicasAfterAppend = Self(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND)
    /// The client is not allowed to use the topic.
    public static let topicAuthorizationFailed = Self(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
    /// The message is larger than the producer's `message.max.bytes` or the topic's `max.message.bytes`.
    public static let messageSizeTooLarge = Self(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    /// The broker refused a batch larger than its limit.
    public static let recordListTooLarge = Self(RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE)
    /// The broker refused the record (a policy, an invalid record).
    public static let invalidRecord = Self(RD_KAFKA_RESP_ERR_INVALID_RECORD)

    /// Whether this is a refusal of the message's size: sending the same bytes again cannot succeed.
    public var isSizeRefusal: Bool { self == .messageSizeTooLarge || self == .recordListTooLarge }

    /// The idempotent producer's sequence was broken.
    public static let outOfOrderSequenceNumber = Self(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER)

    private init(_ code: rd_kafka_resp_err_t) { self.rawValue = code.rawValue }

    private static let retriable: Set<KafkaErrorCode> = [
        .queueFull, .timedOut, .messageTimedOut, .transport, .allBrokersDown, .leaderNotAvailable,
        .notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .notEnoughReplicasAfterAppend,
        .unknownTopicOrPartition, Self(RD_KAFKA_RESP_ERR__RESOLVE), Self(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION),
        Self(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE), Self(RD_KAFKA_RESP_ERR_NOT_COORDINATOR),
        Self(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS), Self(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR),
    ]
}
