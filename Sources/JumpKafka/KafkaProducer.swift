import CRdKafka
import Foundation
import Logging
import Synchronization

/// A Kafka producer with delivery reports: each message is either acknowledged by the broker (with its
/// partition and offset) or reported as failed, never silently dropped.
///
/// Idempotence and `acks=all` are on by default (``KafkaProducerConfiguration``). Delivery reports are served
/// by a dedicated thread. Call ``close(timeout:)`` to flush; it reports what could not be delivered.
public final class KafkaProducer: Sendable {
    private let handle: KafkaClientHandle
    private let pollThread: KafkaPollThread
    private let topics = Mutex<[String: TopicHandle]>([:])
    private let lifecycle = Mutex(KafkaClientLifecycle<CheckedContinuation<Void, Never>>())
    private let logger: Logger

    /// Creates the producer and starts serving delivery reports.
    ///
    /// - Throws: ``KafkaError/Kind/configuration`` when librdkafka refuses a property (secrets redacted).
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        let properties = configuration.properties
        let context = KafkaClientContext(logger: logger, properties: properties)
        handle = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: properties, context: context) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                DeliveryBatch.report(opaque, message.pointee)
            }
        }
        pollThread = KafkaPollThread(handle: handle, name: "jump-kafka-producer-poll")
        self.logger = logger
    }

    deinit {
        if lifecycle.withLock({ $0.isOpen }) {
            // Undelivered messages still get their (failed) reports, so no callback is lost.
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            rd_kafka_flush(handle.pointer, 1000)
        }
        pollThread.stop()
        topics.withLock { $0.removeAll() }
    }

    /// Sends one message and waits for the broker's acknowledgement.
    ///
    /// - Returns: where the message was stored.
    /// - Throws: ``KafkaError`` when it was not delivered (``KafkaError/isRetriable`` tells whether trying
    ///   again may help); `CancellationError` only while waiting for room in a full queue: once the message is
    ///   queued, its outcome is awaited whatever happens to the task (the broker may still store it).
    public func send(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        while true {
            let result: Result<KafkaDeliveryReport, KafkaError>? = try await withCheckedThrowingContinuation {
                continuation in
                do {
                    try tryEnqueue(message) { continuation.resume(returning: $0) }
                } catch let error as KafkaError where error.kind == .queueFull {
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if let result { return try result.get() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Sends every message, all in flight together, and waits for each one's outcome: the results are in the
    /// order of `messages`, one per message.
    public func send(_ messages: [KafkaProducerMessage]) async throws -> [Result<KafkaDeliveryReport, KafkaError>] {
        let results = DeliveryResults(count: messages.count)
        try await enqueue(messages) { index, result in results.set(index, result) }
        return await withCheckedContinuation { continuation in
            results.onComplete { continuation.resume(returning: $0) }
        }
    }

    /// Queues one message, waiting while the local queue is full, and calls `onDelivery` (on the delivery
    /// thread) exactly once with the broker's acknowledgement or the failure.
    ///
    /// Use this to keep many messages in flight; ``flush(timeout:)`` waits for all of them.
    public func enqueue(
        _ message: KafkaProducerMessage,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) async throws {
        while true {
            do {
                return try tryEnqueue(message, onDelivery: onDelivery)
            } catch  where error.kind == .queueFull {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Queues one message without waiting; throws ``KafkaError/Kind/queueFull`` when the local queue is full.
    public func tryEnqueue(
        _ message: KafkaProducerMessage,
        onDelivery: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        let batch = DeliveryBatch(retaining: [message]) { _, result in onDelivery(result) }
        do throws(KafkaError) {
            try enqueue(message, at: 0, of: batch, topic: try topicHandle(message.topic))
        } catch {
            batch.abandon()
            throw error
        }
    }

    /// Queues every message, in order, waiting while the local queue is full, and calls `onDelivery` (on the
    /// delivery thread) exactly once per message with its index and the broker's acknowledgement or the failure,
    /// a message that could not be queued included. One context serves the whole batch, and it keeps the
    /// messages' bytes until the last report: librdkafka sends the values from where they are, without copying
    /// them first (it copies only the key, and the value once more into the request it compresses).
    public func enqueue(
        _ messages: [KafkaProducerMessage],
        onDelivery: @escaping @Sendable (Int, Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) async throws {
        guard !messages.isEmpty else { return }
        let batch = DeliveryBatch(retaining: messages, body: onDelivery)
        var topic: (name: String, handle: TopicHandle)?
        for (index, message) in messages.enumerated() {
            do {
                if topic?.name != message.topic {
                    topic = (message.topic, try topicHandle(message.topic))
                    if index == 0 { batch.commonTopic = (topic!.handle.pointer, message.topic) }
                }
                while try !queued(message, at: index, of: batch, topic: topic!.handle) {
                    try await Task.sleep(for: .milliseconds(1))
                }
            } catch let error as KafkaError {
                // Not queued: reported now, so every message still gets exactly one outcome.
                batch.abandon(index, error)
            } catch {
                // Cancelled while waiting: the rest is reported as not sent.
                for rest in index..<messages.count {
                    batch.abandon(
                        rest, KafkaError(kind: .closed, message: "not queued: the sending task was cancelled"))
                }
                throw error
            }
        }
    }

    /// Queues the message, or returns `false` when the local queue is full.
    private func queued(
        _ message: KafkaProducerMessage, at index: Int, of batch: DeliveryBatch, topic: TopicHandle
    ) throws(KafkaError) -> Bool {
        do {
            try enqueue(message, at: index, of: batch, topic: topic)
            return true
        } catch  where error.kind == .queueFull {
            return false
        }
    }

    private func enqueue(
        _ message: KafkaProducerMessage, at index: Int, of batch: DeliveryBatch, topic: TopicHandle
    ) throws(KafkaError) {
        if !lifecycle.withLock({ $0.isOpen }) {
            throw KafkaError(kind: .closed, message: "the producer is closed; message to \(message.topic) not sent")
        }
        if let error = Self.produce(message, topic: topic, handle: handle.pointer, opaque: batch.slot(index)) {
            // After a fatal error librdkafka refuses every message; the error it raised says why.
            if let fatal = handle.fatalError {
                rd_kafka_error_destroy(error)
                throw fatal
            }
            throw KafkaError.consuming(error, context: "cannot queue message for \(message.topic)")
        }
    }

    /// Waits until every queued message has been acknowledged or reported as failed.
    ///
    /// - Throws: ``KafkaError/Kind/timedOut`` with the number still outstanding.
    public func flush(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while outstandingCount > 0 {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(
                    kind: .timedOut, isRetriable: true,
                    message: "\(outstandingCount) messages still unacknowledged after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// How many partitions `topic` has, asked of the cluster on a thread of its own; `nil` when it has no such
    /// topic.
    ///
    /// - Throws: ``KafkaError`` when no broker answered within `timeout`, with librdkafka's last error.
    public func partitionCount(of topic: String, timeout: Duration = .seconds(10)) async throws -> Int? {
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        let handle = self.handle
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { () throws(KafkaError) in
                        try handle.partitionCount(of: topic, milliseconds: milliseconds)
                    })
            }
        }
    }

    /// Messages queued or in flight whose delivery report has not been served yet.
    public var outstandingCount: Int { Int(rd_kafka_outq_len(handle.pointer)) }

    /// Flushes for at most `timeout`, then fails whatever is left (each gets its failed delivery report) and
    /// stops the delivery thread. Later sends throw ``KafkaError/Kind/closed``; a second close waits for the first.
    ///
    /// - Returns: how many messages could not be delivered before the timeout (0 for a second close).
    @discardableResult
    public func close(timeout: Duration = .seconds(10)) async -> Int {
        await lifecycle.closeOnce {
            try? await flush(timeout: timeout)
            let undelivered = outstandingCount
            if undelivered > 0 {
                logger.warning("closing the producer with \(undelivered) messages unacknowledged; they are failed")
                rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                try? await flush(timeout: .seconds(5))
            }
            pollThread.stop()
            return undelivered
        } ?? 0
    }

    /// Raises a fatal error inside librdkafka, as a broker fencing the producer would (tests only).
    func simulateFatalError(_ code: KafkaErrorCode, reason: String) {
        rd_kafka_test_fatal_error(handle.pointer, rd_kafka_resp_err_t(rawValue: code.rawValue), reason)
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> TopicHandle {
        let result = topics.withLock { topics -> TopicHandle? in
            if let existing = topics[name] { return existing }
            guard let pointer = rd_kafka_topic_new(handle.pointer, name, nil) else { return nil }
            let created = TopicHandle(pointer: pointer)
            topics[name] = created
            return created
        }
        guard let result else {
            throw KafkaError.rdKafka(rd_kafka_last_error(), kind: .invalidArgument, context: "topic '\(name)'")
        }
        return result
    }

    /// Calls `rd_kafka_produceva` (Swift cannot call the variadic `rd_kafka_producev`); returns librdkafka's
    /// error, if any. librdkafka copies the key and headers, and reads the value from the message's own storage
    /// until its delivery report (no `RD_KAFKA_MSG_F_COPY`): the caller's ``DeliveryBatch`` keeps that storage
    /// alive and unchanged until then.
    ///
    /// Headers go as one application-built list (`RD_KAFKA_VTYPE_HEADERS`), never one by one
    /// (`RD_KAFKA_VTYPE_HEADER`): librdkafka 2.0.2 frees the list it builds from single headers twice when the
    /// topic is in an error state (an authorization failure, librdkafka issue 4627) and the process crashes. An
    /// application list is librdkafka's on success and stays ours on failure, when it is destroyed here.
    private static func produce(
        _ message: KafkaProducerMessage, topic: TopicHandle, handle: OpaquePointer, opaque: UnsafeMutableRawPointer
    ) -> OpaquePointer? {
        // Topic, partition, flags, opaque, key, value, headers: on the stack, no end marker (a count is passed).
        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { arguments in
            var count = 0
            func append(_ type: rd_kafka_vtype_t) -> UnsafeMutablePointer<rd_kafka_vu_t> {
                let argument = arguments.baseAddress! + count
                argument.initialize(to: rd_kafka_vu_t())
                argument.pointee.vtype = type
                count += 1
                return argument
            }
            append(RD_KAFKA_VTYPE_RKT).pointee.u.rkt = topic.pointer
            append(RD_KAFKA_VTYPE_PARTITION).pointee.u.i32 = message.partition ?? RD_KAFKA_PARTITION_UA
            append(RD_KAFKA_VTYPE_MSGFLAGS).pointee.u.i = 0
            append(RD_KAFKA_VTYPE_OPAQUE).pointee.u.ptr = opaque
            let headers = makeHeaders(message.headers)
            if let headers { append(RD_KAFKA_VTYPE_HEADERS).pointee.u.headers = headers }
            let error = message.key.withOptionalBytes { key in
                message.value.withOptionalBytes { value in
                    if let (address, size) = key {
                        append(RD_KAFKA_VTYPE_KEY).pointee.u.mem = .init(
                            ptr: UnsafeMutableRawPointer(mutating: address), size: size)
                    }
                    if let (address, size) = value {
                        append(RD_KAFKA_VTYPE_VALUE).pointee.u.mem = .init(
                            ptr: UnsafeMutableRawPointer(mutating: address), size: size)
                    }
                    return rd_kafka_produceva(handle, arguments.baseAddress, count)
                }
            }
            if error != nil, let headers { rd_kafka_headers_destroy(headers) }
            return error
        }
    }

    /// A librdkafka header list holding copies of `headers`, or `nil` when there are none.
    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            if let value = header.value {
                _ = value.withUnsafeBytes { rd_kafka_header_add(list, header.name, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
            }
        }
        return list
    }
}

/// An application-owned `rd_kafka_topic_t`, destroyed with the producer.
///
/// `@unchecked Sendable`: librdkafka topic handles are thread-safe and the pointer never changes.
private final class TopicHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(pointer: OpaquePointer) { self.pointer = pointer }
    deinit { rd_kafka_topic_destroy(pointer) }
}

/// The delivery context of a batch of messages: one object and one buffer of slots for the whole batch. Each
/// message's opaque pointer is its slot (the batch and the message's index), so a delivery report finds its
/// callback without a heap object per message. The batch keeps itself alive until its last outcome.
///
/// `@unchecked Sendable`: `slots` is written once per index before librdkafka can report on it, and read only by
/// that report; `commonTopic` is set before any message is produced; `remaining` is atomic.
private final class DeliveryBatch: @unchecked Sendable {
    struct Slot {
        var batch: Unmanaged<DeliveryBatch>
        var index: Int
    }

    let body: @Sendable (Int, Result<KafkaDeliveryReport, KafkaError>) -> Void
    private let slots: UnsafeMutablePointer<Slot>
    private let remaining: Atomic<Int>
    /// The messages, whose values librdkafka reads in place until their reports: released with the batch.
    private let messages: [KafkaProducerMessage]

    init(
        retaining messages: [KafkaProducerMessage],
        body: @escaping @Sendable (Int, Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) {
        let count = messages.count
        self.messages = messages
        self.body = body
        slots = .allocate(capacity: count)
        remaining = Atomic(count)
        let unmanaged = Unmanaged.passRetained(self)  // released with the last outcome
        for index in 0..<count { (slots + index).initialize(to: Slot(batch: unmanaged, index: index)) }
    }

    deinit { slots.deallocate() }

    /// The opaque pointer of message `index`.
    func slot(_ index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// A delivery report from librdkafka for the message whose opaque pointer is `opaque`.
    static func report(_ opaque: UnsafeMutableRawPointer, _ message: rd_kafka_message_t) {
        let slot = opaque.assumingMemoryBound(to: Slot.self).pointee
        let batch = slot.batch.takeUnretainedValue()
        batch.body(slot.index, batch.result(of: message))
        batch.finish(1)
    }

    /// A message that never reached librdkafka: reported now (when `error` is given), and counted as done.
    func abandon(_ index: Int? = nil, _ error: KafkaError? = nil) {
        if let index, let error { body(index, .failure(error)) }
        finish(1)
    }

    private func finish(_ count: Int) {
        if remaining.subtract(count, ordering: .acquiringAndReleasing).newValue == 0 {
            Unmanaged.passUnretained(self).release()
        }
    }

    /// The topic most messages of the batch go to, named once for all their reports; set before the first
    /// message is produced and never changed.
    var commonTopic: (handle: OpaquePointer, name: String)?

    func result(of message: rd_kafka_message_t) -> Result<KafkaDeliveryReport, KafkaError> {
        let topic: String
        if let handle = message.rkt {
            topic = commonTopic?.handle == handle ? commonTopic!.name : String(cString: rd_kafka_topic_name(handle))
        } else {
            topic = "?"
        }
        let place = KafkaTopicPartition(topic: topic, partition: message.partition)
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(.rdKafka(message.err, kind: .delivery, context: "message to \(place) not delivered"))
        }
        return .success(KafkaDeliveryReport(topicPartition: place, offset: message.offset))
    }
}

/// Collects one delivery result per index and calls back once all have arrived.
private final class DeliveryResults: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var remaining: Int
        var done: (@Sendable ([Result<KafkaDeliveryReport, KafkaError>]) -> Void)?
    }
    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count)) }

    func onComplete(_ done: @escaping @Sendable ([Result<KafkaDeliveryReport, KafkaError>]) -> Void) {
        let finished = state.withLock { state -> [Result<KafkaDeliveryReport, KafkaError>]? in
            guard state.remaining == 0 else {
                state.done = done
                return nil
            }
            return state.results.map { $0! }
        }
        if let finished { done(finished) }
    }

    func set(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        typealias Results = [Result<KafkaDeliveryReport, KafkaError>]
        let finished = state.withLock { state -> (@Sendable (Results) -> Void, Results)? in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let done = state.done else { return nil }
            state.done = nil
            return (done, state.results.map { $0! })
        }
        if let (done, results) = finished { done(results) }
    }
}

extension Optional where Wrapped == ArraySlice<UInt8> {
    /// Calls `body` with the bytes' address and count, or `nil` when there are no bytes.
    fileprivate func withOptionalBytes<R>(_ body: ((UnsafeRawPointer, Int)?) -> R) -> R {
        guard let bytes = self else { return body(nil) }
        return bytes.withUnsafeBytes { buffer in
            // An empty array may have no address; librdkafka accepts any pointer with size 0.
            body((buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, buffer.count))
        }
    }
}
