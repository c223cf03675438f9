import CRdKafka
import Logging
import Synchronization

/// Hooks a ``KafkaConsumer`` calls from its poll thread when the group gives or takes partitions.
public struct KafkaRebalanceHooks: Sendable {
    /// Called before newly assigned partitions are fetched. Return the offset to start each partition at;
    /// a partition left out starts at the group's committed offset (or `auto.offset.reset`). When it throws,
    /// the partitions are assigned but paused, and the next poll throws the error.
    public var onAssign: @Sendable ([KafkaTopicPartition]) throws -> [KafkaTopicPartition: KafkaOffset]
    /// Called before partitions are taken away (a rebalance, or closing the consumer).
    public var onRevoke: @Sendable ([KafkaTopicPartition]) -> Void

    /// Hooks with the given closures; by default start at committed offsets and do nothing on revoke.
    public init(
        onAssign: @escaping @Sendable ([KafkaTopicPartition]) throws -> [KafkaTopicPartition: KafkaOffset] = { _ in
            [:]
        },
        onRevoke: @escaping @Sendable ([KafkaTopicPartition]) -> Void = { _ in }
    ) {
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }
}

/// A consumer's view of its assignment, kept by the rebalance callback and the poll loop.
final class KafkaRebalanceState: Sendable {
    private struct Inner {
        var assignment: Set<KafkaTopicPartition> = []
        var atEnd: Set<KafkaTopicPartition> = []
        var pendingError: KafkaError?
    }

    private let hooks: KafkaRebalanceHooks
    private let logger: Logger
    private let inner = Mutex(Inner())

    init(hooks: KafkaRebalanceHooks, logger: Logger) {
        self.hooks = hooks
        self.logger = logger
    }

    var assignment: Set<KafkaTopicPartition> { inner.withLock { $0.assignment } }

    /// Partitions assigned directly, without a group (a reader).
    func assignManually(_ partitions: Set<KafkaTopicPartition>) {
        inner.withLock { state in
            state.assignment.formUnion(partitions)
            state.atEnd.subtract(partitions)
        }
    }
    var partitionsAtEnd: Set<KafkaTopicPartition> { inner.withLock { $0.atEnd.intersection($0.assignment) } }

    func takePendingError() -> KafkaError? {
        inner.withLock { state in
            defer { state.pendingError = nil }
            return state.pendingError
        }
    }
    func setPendingError(_ error: KafkaError) {
        inner.withLock { if $0.pendingError == nil { $0.pendingError = error } }
    }

    /// Records, in order, which partitions reached their end (`true`) or got a message since (`false`).
    func applyEndChanges(_ changes: [(KafkaTopicPartition, atEnd: Bool)]) {
        guard !changes.isEmpty else { return }
        inner.withLock { state in
            for (topicPartition, atEnd) in changes {
                if atEnd { state.atEnd.insert(topicPartition) } else { state.atEnd.remove(topicPartition) }
            }
        }
    }

    /// Serves librdkafka's rebalance callback: asks the hooks, then (incrementally) assigns or unassigns.
    func rebalance(
        _ handle: OpaquePointer, _ code: rd_kafka_resp_err_t,
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) {
        // librdkafka returns no protocol while the consumer leaves its group (closing): then it is eager.
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        let partitions = KafkaTopicPartitionList.entries(list).map(\.topicPartition)
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(partitions, handle: handle, list: list, cooperative: cooperative)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            logger.info("partitions revoked", metadata: ["partitions": Self.listed(partitions)])
            hooks.onRevoke(partitions)
            if cooperative {
                rd_kafka_incremental_unassign(handle, list).map { rd_kafka_error_destroy($0) }
            } else {
                rd_kafka_assign(handle, nil)
            }
            inner.withLock { state in
                if cooperative { state.assignment.subtract(partitions) } else { state.assignment.removeAll() }
            }
        default:
            let error = KafkaError.rdKafka(code, context: "rebalance failed")
            logger.error("rebalance failed; dropping the assignment", metadata: ["error": "\(error)"])
            rd_kafka_assign(handle, nil)
            inner.withLock { $0.assignment.removeAll() }
        }
    }

    /// Partitions for a log record: a list of `topic[partition]`, in order.
    private static func listed(_ partitions: [KafkaTopicPartition]) -> Logger.Metadata.Value {
        .array(partitions.sorted().map { .string("\($0)") })
    }

    private func assign(
        _ partitions: [KafkaTopicPartition], handle: OpaquePointer,
        list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, cooperative: Bool
    ) {
        var hookError: KafkaError?
        var offsets: [KafkaTopicPartition: KafkaOffset] = [:]
        do {
            offsets = try hooks.onAssign(partitions)
        } catch {
            hookError =
                error as? KafkaError
                ?? KafkaError(kind: .invalidArgument, message: "start offsets for \(partitions.sorted()): \(error)")
        }
        if let elements = list.pointee.elems {
            for index in 0..<Int(list.pointee.cnt) {
                let topicPartition = KafkaTopicPartition(
                    topic: String(cString: elements[index].topic), partition: elements[index].partition)
                if let offset = offsets[topicPartition] { elements[index].offset = offset.rawValue }
            }
        }
        logger.info(
            "partitions assigned",
            metadata: [
                "partitions": Self.listed(partitions),
                "start": .dictionary(
                    Dictionary(uniqueKeysWithValues: offsets.map { ("\($0.key)", .string($0.value.description)) })),
            ])
        if cooperative {
            rd_kafka_incremental_assign(handle, list).map { rd_kafka_error_destroy($0) }
        } else {
            rd_kafka_assign(handle, list)
        }
        if let hookError {
            rd_kafka_pause_partitions(handle, list)
            setPendingError(hookError)
        }
        inner.withLock { state in
            if cooperative { state.assignment.formUnion(partitions) } else { state.assignment = Set(partitions) }
            state.atEnd.subtract(partitions)
        }
    }
}
