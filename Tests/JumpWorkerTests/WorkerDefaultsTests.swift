import JumpKafka
import Testing

@testable import JumpWorker

@Suite("The workers' consumer settings")
struct WorkerDefaultsTests {
    @Test("workers prefetch what they are given (not librdkafka's 64 MiB) and use an 8 s session; -X still wins")
    func workerDefaults() {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: ["a:1"], groupID: "g", topics: ["t"])
        consumer.useWorkerDefaults(prefetchKilobytes: 4_096)
        #expect(consumer.properties["queued.max.messages.kbytes"] == "4096")
        #expect(consumer.properties["session.timeout.ms"] == "8000")
        #expect(consumer.properties["heartbeat.interval.ms"] == "2000")
        consumer.overrides = ["queued.max.messages.kbytes": "16384", "session.timeout.ms": "3000"]
        #expect(consumer.properties["queued.max.messages.kbytes"] == "16384")
        #expect(consumer.properties["session.timeout.ms"] == "3000")
    }
}
