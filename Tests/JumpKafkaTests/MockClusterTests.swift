import Foundation
import JumpTestSupport
import Testing

@testable import JumpKafka

/// The mock brokers answer without Nagle's delay, as Kafka does.
@Suite("The mock cluster's sockets")
struct MockClusterTests {
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
        let sockets = MockListeners.sockets(bootstrapServers: cluster.bootstrapServers).map { socket in
            var noDelay: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket.descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &size)
            return (listening: socket.isListening, noDelay: noDelay == 1)
        }
        #expect(sockets.filter { $0.listening }.count == 2, "\(sockets)")
        #expect(sockets.contains { !$0.listening }, "a connection the brokers accepted")
        #expect(sockets.allSatisfy { $0.noDelay }, "\(sockets)")
        await producer.close()
    }
}
