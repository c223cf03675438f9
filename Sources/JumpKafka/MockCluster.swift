import CRdKafka
import Foundation
import Logging

/// librdkafka's in-memory mock Kafka cluster: real brokers speaking the Kafka protocol on loopback TCP, for
/// development and tests. It keeps about 5 MiB per partition (older messages are evicted), has no
/// replication, TLS or SASL, and never answers the admin CreateTopics request: create topics with
/// ``createTopic(_:partitions:replicationFactor:)``.
public final class MockCluster: Sendable {
    /// The cluster's `bootstrap.servers` list, `127.0.0.1:PORT,...`.
    public let bootstrapServers: String
    /// How many brokers it runs; their ids are 1 through this count.
    public let brokerCount: Int
    private let cluster: ClusterPointer
    private let handle: KafkaClientHandle

    /// Starts a cluster of `brokerCount` brokers on ephemeral loopback ports.
    public init(brokerCount: Int = 3, logger: Logger) throws(KafkaError) {
        guard (1...64).contains(brokerCount) else {
            throw KafkaError(kind: .invalidArgument, message: "broker count \(brokerCount) is not within 1...64")
        }
        // librdkafka keeps its mock cluster's books in a client instance of its own.
        let context = KafkaClientContext(logger: logger, properties: [:])
        handle = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: ["log_level": "3"], context: context)
        guard let pointer = rd_kafka_mock_cluster_new(handle.pointer, Int32(brokerCount)) else {
            throw KafkaError(kind: .mockCluster, message: "librdkafka could not start a mock cluster")
        }
        cluster = ClusterPointer(pointer: pointer, owner: handle)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(pointer))
        self.brokerCount = brokerCount
        MockListeners.disableNagle(bootstrapServers: bootstrapServers)
    }

    /// Creates a topic; the replication factor defaults to the broker count, at most 3.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int? = nil) throws(KafkaError) {
        let replicas = replicationFactor ?? min(brokerCount, 3)
        guard partitions >= 1, (1...brokerCount).contains(replicas) else {
            throw KafkaError(
                kind: .invalidArgument,
                message: "topic \(name): \(partitions) partitions and \(replicas) replicas on \(brokerCount) brokers")
        }
        let code = rd_kafka_mock_topic_create(cluster.pointer, name, Int32(partitions), Int32(replicas))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(code, kind: .mockCluster, context: "cannot create topic \(name)")
        }
    }

    /// Makes a broker unreachable: its connections are closed and new ones refused, until ``setBrokerUp(_:)``.
    /// librdkafka 2.0.2 re-binds the broker's port at once and aborts the process if another socket took it, so
    /// tests that call this run apart from parallel ones (`Deploy/local/test.sh`).
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster.pointer, brokerID), "broker \(brokerID) down")
    }

    /// Brings a broker back.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster.pointer, brokerID), "broker \(brokerID) up")
        MockListeners.disableNagle(bootstrapServers: bootstrapServers)
    }

    /// Makes a broker the leader of a partition (a leader move).
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) throws(KafkaError) {
        try check(
            rd_kafka_mock_partition_set_leader(cluster.pointer, topic, partition, brokerID),
            "leader of \(topic)[\(partition)] to broker \(brokerID)")
    }

    /// Makes the next requests of one API fail with the given errors, one error per request, in order.
    public func injectRequestErrors(_ api: KafkaAPIKey, _ errors: [KafkaErrorCode]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster.pointer, api.rawValue, $0.count, $0.baseAddress)
        }
    }

    private func check(_ code: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(code, kind: .mockCluster, context: "mock cluster: \(what)")
        }
    }
}

/// A Kafka protocol request type (`ApiKey`), for ``MockCluster/injectRequestErrors(_:_:)``.
public struct KafkaAPIKey: RawRepresentable, Hashable, Sendable {
    /// The protocol's numeric ApiKey.
    public let rawValue: Int16
    /// Wraps an ApiKey.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Produce (0).
    public static let produce = Self(rawValue: 0)
    /// Fetch (1).
    public static let fetch = Self(rawValue: 1)
    /// ListOffsets (2).
    public static let listOffsets = Self(rawValue: 2)
    /// Metadata (3).
    public static let metadata = Self(rawValue: 3)
    /// OffsetCommit (8).
    public static let offsetCommit = Self(rawValue: 8)
    /// OffsetFetch (9).
    public static let offsetFetch = Self(rawValue: 9)
    /// JoinGroup (11).
    public static let joinGroup = Self(rawValue: 11)
    /// InitProducerId (22).
    public static let initProducerID = Self(rawValue: 22)
}

/// The mock cluster, destroyed before the client instance that keeps its books.
///
/// `@unchecked Sendable`: librdkafka's mock cluster calls post operations to the cluster's own thread and are
/// thread-safe; the pointer never changes.
private final class ClusterPointer: @unchecked Sendable {
    let pointer: OpaquePointer
    private let owner: KafkaClientHandle
    init(pointer: OpaquePointer, owner: KafkaClientHandle) {
        self.pointer = pointer
        self.owner = owner
    }
    deinit { rd_kafka_mock_cluster_destroy(pointer) }
}

/// The mock brokers' listening sockets. librdkafka 2.0.2's mock answers on sockets with Nagle's algorithm on, so
/// when a client has requests for several partitions in flight (one ProduceRequest per partition), every answer
/// after the first waits for the client's delayed acknowledgement: 44 ms for 100 events over 12 partitions
/// against 0.4 ms with `TCP_NODELAY` (measured with a bare confluent-kafka producer). Kafka itself sets
/// `TCP_NODELAY`; so does this, on the listeners, which the accepted connections inherit (Linux).
enum MockListeners {
    /// Sets `TCP_NODELAY` on this process's listening sockets bound to the ports of `bootstrapServers`.
    static func disableNagle(bootstrapServers: String) {
        var one: Int32 = 1
        for socket in sockets(bootstrapServers: bootstrapServers) where socket.isListening {
            setsockopt(socket.descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// This process's IPv4 TCP sockets bound to the ports of `bootstrapServers` (listeners and the connections they
    /// accepted), from `/proc/self/fd`.
    static func sockets(bootstrapServers: String) -> [(descriptor: Int32, isListening: Bool)] {
        let ports = Set(
            bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } })
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap(Int32.init).compactMap { descriptor in
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            guard named == 0, address.sin_family == sa_family_t(AF_INET),
                ports.contains(UInt16(bigEndian: address.sin_port))
            else { return nil }
            var listening: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size)
            return (descriptor, listening == 1)
        }
    }
}
