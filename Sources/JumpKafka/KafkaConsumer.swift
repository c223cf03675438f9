import CRdKafka
import Dispatch
import Logging
import Synchronization

/// A member of a Kafka consumer group.
///
/// Every blocking librdkafka call (poll, seek, commit, close) runs on the consumer's own serial queue, never
/// on Swift's cooperative pool, and polling uses `rd_kafka_consumer_poll` on that queue, which also serves
/// rebalances: so a seek or pause can never overlap a rebalance (librdkafka 2.0.2's batch consume API can lose
/// messages when they do). Offsets are stored only when the caller calls ``storeOffsets(_:)``; with
/// auto-commit on, librdkafka commits what was stored. ``KafkaRebalanceHooks`` lets the caller choose where
/// newly assigned partitions start. ``close()`` leaves the group.
public final class KafkaConsumer: Sendable {
    private let handle: KafkaClientHandle
    private let consumerQueue: ConsumerQueue
    private let serialQueue = DispatchQueue(label: "jump-kafka-consumer")
    private let state: KafkaRebalanceState
    private let lifecycle = Mutex(KafkaClientLifecycle<CheckedContinuation<Void, Never>>())
    private let logger: Logger

    /// Creates the consumer and subscribes to the configured topics; the group is joined on the first poll.
    ///
    /// - Throws: ``KafkaError/Kind/configuration`` when librdkafka refuses a property (secrets redacted).
    public convenience init(
        configuration: KafkaConsumerConfiguration, hooks: KafkaRebalanceHooks = KafkaRebalanceHooks(),
        logger: Logger
    ) throws(KafkaError) {
        guard !configuration.topics.isEmpty else {
            throw KafkaError(kind: .configuration, message: "a consumer needs at least one topic")
        }
        try self.init(configuration: configuration, hooks: hooks, subscribing: true, logger: logger)
    }

    /// A consumer that joins no group: ``read(_:)`` assigns it partitions directly, as `kcat -C` does (no wait
    /// for a group join, nothing committed). `configuration.topics` is not used.
    public static func reader(
        configuration: KafkaConsumerConfiguration, logger: Logger
    ) throws(KafkaError)
        -> KafkaConsumer
    {
        var configuration = configuration
        configuration.isAutoCommitEnabled = false
        return try KafkaConsumer(
            configuration: configuration, hooks: KafkaRebalanceHooks(), subscribing: false, logger: logger)
    }

    private init(
        configuration: KafkaConsumerConfiguration, hooks: KafkaRebalanceHooks, subscribing: Bool, logger: Logger
    ) throws(KafkaError) {
        let properties = configuration.properties
        let state = KafkaRebalanceState(hooks: hooks, logger: logger)
        let context = KafkaClientContext(logger: logger, properties: properties, rebalance: state)
        handle = try KafkaClientHandle(type: RD_KAFKA_CONSUMER, properties: properties, context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { handle, code, list, _ in
                guard let handle, let list, let state = KafkaClientContext.of(handle)?.rebalance else { return }
                state.rebalance(handle, code, list)
            }
        }
        self.state = state
        self.logger = logger
        // Serve logs, errors and rebalances from the consumer queue, so one poll serves everything.
        rd_kafka_poll_set_consumer(handle.pointer)
        consumerQueue = ConsumerQueue(pointer: rd_kafka_queue_get_consumer(handle.pointer)!, owner: handle)
        guard subscribing else { return }
        let topics = configuration.topics.map {
            (KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA), KafkaOffset.committed)
        }
        let code = try KafkaTopicPartitionList.with(topics) { [handle] list in rd_kafka_subscribe(handle.pointer, list)
        }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(
                code, kind: .invalidArgument, context: "cannot subscribe to \(configuration.topics)")
        }
    }

    deinit {
        if lifecycle.withLock({ $0.isOpen }) { rd_kafka_consumer_close(handle.pointer) }
    }

    /// Waits up to `timeout` for the first event, then takes whatever else is ready, up to `maxEvents`.
    ///
    /// Rebalances are served inside this call (``KafkaRebalanceHooks`` run here).
    /// - Throws: ``KafkaError/Kind/offsetOutOfRange`` naming the partition when its position is outside the
    ///   log and `auto.offset.reset` is `error`; a fatal error; an error from `onAssign`;
    ///   ``KafkaError/Kind/closed`` after ``close()``.
    public func poll(maxEvents: Int = 1000, timeout: Duration) async throws -> [KafkaConsumerEvent] {
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        return try await onSerialQueue { () throws(KafkaError) in try self.pollNow(maxEvents, milliseconds) }
    }

    /// Makes a poll that is waiting return at once (for shutdown).
    public func wakeUp() { rd_kafka_queue_yield(consumerQueue.pointer) }

    /// The partitions this member holds now.
    public var assignment: Set<KafkaTopicPartition> { state.assignment }

    /// The assigned partitions whose end this member has reached, with no message since.
    public var partitionsAtEnd: Set<KafkaTopicPartition> { state.partitionsAtEnd }

    /// Records the next offset to read for each partition (the offset of the last processed message + 1); with
    /// auto-commit on, librdkafka commits it, otherwise ``commit()`` does.
    public func storeOffsets(_ nextOffsets: [KafkaTopicPartition: Int64]) throws(KafkaError) {
        try KafkaTopicPartitionList.with(nextOffsets.map { ($0.key, .exact($0.value)) }) { list throws(KafkaError) in
            let code = rd_kafka_offsets_store(handle.pointer, list)
            if let error = KafkaTopicPartitionList.firstError(list, context: "cannot store offset for") { throw error }
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rdKafka(code, context: "cannot store offsets")
            }
        }
    }

    /// Commits the stored offsets now and waits for the group coordinator's answer.
    public func commit() async throws {
        try await onSerialQueue { () throws(KafkaError) in
            let code = rd_kafka_commit(self.handle.pointer, nil, 0)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError.rdKafka(code, context: "commit failed")
            }
        }
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ positions: [KafkaTopicPartition: KafkaOffset], timeout: Duration = .seconds(10)) async throws {
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        try await onSerialQueue { () throws(KafkaError) in
            try KafkaTopicPartitionList.with(positions.map { ($0.key, $0.value) }) { list throws(KafkaError) in
                if let error = rd_kafka_seek_partitions(self.handle.pointer, list, milliseconds) {
                    throw KafkaError.consuming(error, context: "seek failed")
                }
                if let error = KafkaTopicPartitionList.firstError(list, context: "seek failed for") { throw error }
            }
        }
    }

    /// Stops fetching from the partitions until ``resume(_:)``; the assignment is kept.
    public func pause(_ partitions: [KafkaTopicPartition]) async throws {
        try await pauseOrResume(partitions, pause: true)
    }

    /// Fetches again from paused partitions.
    public func resume(_ partitions: [KafkaTopicPartition]) async throws {
        try await pauseOrResume(partitions, pause: false)
    }

    /// Reads these partitions from these offsets, without a group (a ``reader(configuration:logger:)``).
    public func read(_ positions: [KafkaTopicPartition: KafkaOffset]) async throws {
        try await onSerialQueue { () throws(KafkaError) in
            try KafkaTopicPartitionList.with(positions.map { ($0.key, $0.value) }) { list throws(KafkaError) in
                let code = rd_kafka_assign(self.handle.pointer, list)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rdKafka(code, context: "cannot assign \(positions.keys.sorted())")
                }
            }
            self.state.assignManually(Set(positions.keys))
        }
    }

    /// How many partitions `topic` has, asked of the cluster; `nil` when it has no such topic.
    ///
    /// - Throws: ``KafkaError`` when no broker answered within `timeout` (with librdkafka's last error, such as
    ///   a broker that cannot be resolved or reached).
    public func partitionCount(of topic: String, timeout: Duration = .seconds(10)) async throws -> Int? {
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        return try await onSerialQueue { () throws(KafkaError) -> Int? in
            try self.handle.partitionCount(of: topic, milliseconds: milliseconds)
        }
    }

    /// The oldest kept and the next offset to be written for a partition, asked of its leader.
    public func watermarks(
        for topicPartition: KafkaTopicPartition, timeout: Duration = .seconds(10)
    ) async throws -> (low: Int64, high: Int64) {
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        return try await onSerialQueue { () throws(KafkaError) in
            var low: Int64 = 0
            var high: Int64 = 0
            let code = rd_kafka_query_watermark_offsets(
                self.handle.pointer, topicPartition.topic, topicPartition.partition, &low, &high, milliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rdKafka(code, context: "cannot read watermarks of \(topicPartition)")
            }
            return (low, high)
        }
    }

    /// The low and high watermarks librdkafka last learned for a partition from its fetches, without asking the
    /// broker (`nil` until a fetch reported them): cheap enough for lag metrics and readiness after every batch.
    public func cachedWatermarks(for topicPartition: KafkaTopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_get_watermark_offsets(
            handle.pointer, topicPartition.topic, topicPartition.partition, &low, &high)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (max(low, 0), high)
    }

    /// The last non-fatal error librdkafka reported for this client (`_RESOLVE: ...`, `_TRANSPORT: ...`), to say
    /// why a group could not be joined.
    public var lastClientError: String? { handle.context.lastError.withLock { $0 } }

    /// Leaves the group (the revoke hook runs first) and commits stored offsets; a later call waits for the first
    /// to end, then returns.
    public func close() async throws {
        try await lifecycle.closeOnce {
            wakeUp()
            try await onSerialQueue(evenWhenClosed: true) { () throws(KafkaError) in
                let code = rd_kafka_consumer_close(self.handle.pointer)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rdKafka(code, context: "closing the consumer")
                }
            }
            logger.debug("consumer closed and left its group")
        }
    }

    private func pauseOrResume(_ partitions: [KafkaTopicPartition], pause: Bool) async throws {
        try await onSerialQueue { () throws(KafkaError) in
            try KafkaTopicPartitionList.with(partitions.map { ($0, .committed) }) { list throws(KafkaError) in
                let code =
                    pause
                    ? rd_kafka_pause_partitions(self.handle.pointer, list)
                    : rd_kafka_resume_partitions(self.handle.pointer, list)
                if let error = KafkaTopicPartitionList.firstError(list, context: pause ? "pause" : "resume") {
                    throw error
                }
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rdKafka(code, context: pause ? "pause failed" : "resume failed")
                }
            }
        }
    }

    /// Runs blocking librdkafka work on the consumer's serial queue and returns its result.
    private func onSerialQueue<T: Sendable>(
        evenWhenClosed: Bool = false, _ body: @escaping @Sendable () throws(KafkaError) -> T
    ) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            serialQueue.async {
                guard evenWhenClosed || self.lifecycle.withLock({ $0.isOpen }) else {
                    let error = KafkaError(kind: .closed, message: "the consumer is closed")
                    return continuation.resume(returning: .failure(error))
                }
                continuation.resume(returning: Result { () throws(KafkaError) in try body() })
            }
        }
        return try result.get()
    }

    /// One poll on the serial queue: the first wait may block, the rest only take what is ready.
    private func pollNow(_ maxEvents: Int, _ milliseconds: Int32) throws(KafkaError) -> [KafkaConsumerEvent] {
        if let fatal = handle.fatalError { throw fatal }
        if let pending = state.takePendingError() { throw pending }
        var events: [KafkaConsumerEvent] = []
        var wait = milliseconds
        // Per-message work is kept small: the topic name is decoded once per run of messages from one topic,
        // and end-of-partition bookkeeping is recorded once per change and applied under one lock.
        var lastTopic: (handle: OpaquePointer?, name: String) = (nil, "")
        var endChanges: [(KafkaTopicPartition, atEnd: Bool)] = []
        defer { state.applyEndChanges(endChanges) }
        func noteEnd(_ topicPartition: KafkaTopicPartition, _ atEnd: Bool) {
            if let last = endChanges.last, last.0 == topicPartition, last.atEnd == atEnd { return }
            endChanges.append((topicPartition, atEnd))
        }
        while events.count < maxEvents, let message = rd_kafka_consumer_poll(handle.pointer, wait) {
            defer { rd_kafka_message_destroy(message) }
            wait = 0
            if message.pointee.rkt != lastTopic.handle {
                lastTopic = (
                    message.pointee.rkt, message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                )
            }
            let topicPartition = KafkaTopicPartition(topic: lastTopic.name, partition: message.pointee.partition)
            switch message.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                events.append(.message(Self.copy(message, topicPartition)))
                noteEnd(topicPartition, false)
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                events.append(.endOfPartition(topicPartition, nextOffset: message.pointee.offset))
                noteEnd(topicPartition, true)
            default:
                let text = handle.context.redact(String(cString: rd_kafka_message_errstr(message)))
                let error = KafkaError.rdKafka(message.pointee.err, context: "\(topicPartition): \(text)")
                if error.kind == .offsetOutOfRange || error.isFatal {
                    if events.isEmpty { throw error }
                    state.setPendingError(error)
                    return events
                }
                logger.warning("consumer error", metadata: ["error": "\(error)"])
            }
        }
        return events
    }

    private static func copy(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, _ topicPartition: KafkaTopicPartition
    ) -> KafkaConsumerMessage {
        let raw = message.pointee
        let key = raw.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }
        let value = raw.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: raw.len)) }
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            var index = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return KafkaConsumerMessage(
            topicPartition: topicPartition, offset: raw.offset, key: key, value: value, headers: headers,
            timestampMilliseconds: timestamp >= 0 ? timestamp : nil)
    }
}

/// The consumer's queue, kept to wake a blocking poll; released before the client is destroyed.
///
/// `@unchecked Sendable`: `rd_kafka_queue_yield` is thread-safe and the pointer never changes.
private final class ConsumerQueue: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Keeps the client alive until the queue is released.
    private let owner: KafkaClientHandle
    init(pointer: OpaquePointer, owner: KafkaClientHandle) {
        self.pointer = pointer
        self.owner = owner
    }
    deinit { rd_kafka_queue_destroy(pointer) }
}
