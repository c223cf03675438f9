import Foundation
import JumpKafka
import JumpTestSupport
import Testing

@Suite("Configuration and secrets")
struct ConfigurationTests {
    let canary = "canary-Zq81-secret"

    @Test("-X key=value arguments parse, later ones win, and malformed ones are refused by name")
    func passThroughParsing() throws {
        let parsed = try KafkaProperties.parse(["linger.ms=10", "client.id = a=b", "linger.ms=20"])
        #expect(parsed == ["linger.ms": "20", "client.id": " a=b"])
        let error = #expect(throws: KafkaError.self) { try KafkaProperties.parse("lingerms") }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("lingerms") == true)
    }

    @Test("overrides win over typed properties, except the explicit offset store")
    func overridesWin() {
        var producer = KafkaProducerConfiguration(bootstrapServers: ["a:1", "b:2"])
        producer.overrides = ["linger.ms": "50", "compression.codec": "zstd"]
        #expect(producer.properties["linger.ms"] == "50")
        #expect(producer.properties["enable.idempotence"] == "true")
        #expect(producer.properties["acks"] == "all")
        #expect(producer.properties["bootstrap.servers"] == "a:1,b:2")
        var consumer = KafkaConsumerConfiguration(bootstrapServers: ["a:1"], groupID: "g", topics: ["t"])
        consumer.overrides = ["enable.auto.offset.store": "true", "auto.offset.reset": "latest"]
        #expect(consumer.properties["enable.auto.offset.store"] == "false")
        #expect(consumer.properties["auto.offset.reset"] == "latest")
        #expect(consumer.properties["queued.max.messages.kbytes"] == "65536", "librdkafka's own prefetch bound")
        consumer.prefetchKilobytes = 4_096
        #expect(consumer.properties["queued.max.messages.kbytes"] == "4096")
        consumer.overrides["queued.max.messages.kbytes"] = "1024"
        #expect(consumer.properties["queued.max.messages.kbytes"] == "1024")
    }

    @Test("secret values never appear in descriptions, parse errors or librdkafka's errors")
    func secretsAreRedacted() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.overrides = ["sasl.password": canary, "ssl.key.password": canary]
        let description = KafkaProperties.redactedDescription(configuration.properties)
        #expect(!description.contains(canary))
        #expect(description.contains("sasl.password=[redacted]"))

        let parseError = #expect(throws: KafkaError.self) { try KafkaProperties.parse("sasl.password") }
        #expect(parseError.map { !"\($0)".contains(canary) } == true)

        // librdkafka refuses the mechanism and quotes it; the quoted value is the secret, so it is redacted.
        configuration.overrides["security.protocol"] = "sasl_plaintext"
        configuration.overrides["sasl.mechanisms"] = canary
        let refused = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: testLogger)
        }
        #expect(refused?.kind == .configuration)
        #expect(refused?.message.contains(KafkaProperties.redacted) == true, "librdkafka quoted the value")
        #expect(refused.map { !"\($0)".contains(canary) } == true)

        configuration.overrides = ["sasl.password": canary, "no.such.property": canary]
        let unknown = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: testLogger)
        }
        #expect(unknown?.message.contains("no.such.property") == true)
        #expect(unknown.map { !"\($0)".contains(canary) } == true)
    }
}
