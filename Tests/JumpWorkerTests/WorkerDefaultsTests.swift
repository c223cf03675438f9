import JumpKafka
import Testing

@testable import JumpWorker

@Suite("The workers' consumer settings")
struct WorkerDefaultsTests {
    @Test("workers prefetch 12 MiB (not librdkafka's 64) and use an 8 s session; -X still wins")
    func workerDefaults() {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: ["a:1"], groupID: "g", topics: ["t"])
        consumer.useWorkerDefaults()
        #expect(consumer.properties["queued.max.messages.kbytes"] == "12288")
        #expect(consumer.properties["session.timeout.ms"] == "8000")
        #expect(consumer.properties["heartbeat.interval.ms"] == "2000")
        consumer.overrides = ["queued.max.messages.kbytes": "16384", "session.timeout.ms": "3000"]
        #expect(consumer.properties["queued.max.messages.kbytes"] == "16384")
        #expect(consumer.properties["session.timeout.ms"] == "3000")
    }
}
