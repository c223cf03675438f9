import Foundation
import JumpTestSupport
import Testing

@testable import JumpKafka

/// The mock brokers answer without Nagle's delay, as Kafka does.
@Suite("The mock cluster's sockets")
struct MockClusterTests {
    /// This process's TCP sockets bound to `ports`: whether each listens, and whether it has `TCP_NODELAY`.
    static func sockets(on ports: Set<UInt16>) -> [(listening: Bool, noDelay: Bool)] {
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
            var noDelay: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size)
            size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &size)
            return (listening == 1, noDelay == 1)
        }
    }

    @Test("every broker's listener, and every connection it accepted, has TCP_NODELAY")
    func noDelay() async throws {
        let cluster = try MockCluster(brokerCount: 2, logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 4)
        let producer = try makeProducer(cluster)
        for partition in Int32(0)..<4 {
            _ = try await producer.send(
                KafkaProducerMessage(topic: topic, partition: partition, key: "k", value: "v"))
        }
        let ports = Set(
            cluster.bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last }
                .compactMap { UInt16($0) })
        let sockets = Self.sockets(on: ports)
        #expect(sockets.filter { $0.listening }.count == 2, "\(sockets)")
        #expect(sockets.contains { !$0.listening }, "a connection the brokers accepted")
        #expect(sockets.allSatisfy { $0.noDelay }, "\(sockets)")
        await producer.close()
    }
}
