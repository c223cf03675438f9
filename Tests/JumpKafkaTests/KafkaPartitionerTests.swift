import JumpKafka
import Testing

/// The partitioners compute what other clients compute: murmur2 as the Java client (Kafka's own test vectors,
/// also kafka-python's), CRC32 as librdkafka's default; the example subject lands where it was reported.
@Suite("Partitioners")
struct KafkaPartitionerTests {
    /// Kafka's `UtilsTest.testMurmur2` keys and `murmur2(key) & 0x7fffffff`: with `Int32.max` partitions the
    /// partition is the masked hash itself.
    @Test(
        "murmur2 matches the Java client's hash",
        arguments: [
            ("21", 1_173_551_340), ("foobar", 1_357_151_166), ("a-little-bit-long-string", 1_161_502_112),
            ("a-little-bit-longer-string", 661_178_819),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 2_088_585_677), ("abc", 479_470_107),
        ])
    func murmur2(key: String, masked: Int32) {
        #expect(KafkaPartitioner.murmur2Random.partition(of: key.utf8, partitionCount: .max) == masked)
    }

    @Test("the subject of the report: murmur2 partition 5, CRC32 partition 1, of 6")
    func reportedSubject() {
        let subject = "jobs.mexico-utah-trade".utf8
        #expect(KafkaPartitioner.murmur2Random.partition(of: subject, partitionCount: 6) == 5)
        #expect(KafkaPartitioner.consistentRandom.partition(of: subject, partitionCount: 6) == 1)
        // zlib.crc32(b"jobs.mexico-utah-trade") = 1597610515
        #expect(KafkaPartitioner.consistentRandom.partition(of: subject, partitionCount: .max) == 1_597_610_515)
    }

    @Test("names: librdkafka's, and nothing else")
    func names() {
        #expect(KafkaPartitioner(name: "murmur2_random") == .murmur2Random)
        #expect(KafkaPartitioner(name: "consistent_random") == .consistentRandom)
        #expect(KafkaPartitioner(name: "murmur2") == nil && KafkaPartitioner(name: "") == nil)
        #expect(KafkaProducerConfiguration(bootstrapServers: ["b:9092"]).properties["partitioner"] == "murmur2_random")
    }
}
