import Foundation
import JumpKafka
import JumpTestSupport
import Testing

/// Interoperability with Kafka clients nobody here wrote, through a real `jump-dev-broker` process:
/// kcat (librdkafka's command-line client) and kafka-python (a pure-Python implementation of the protocol).
@Suite("Interoperability with kcat and kafka-python through jump-dev-broker")
struct InteropTests {
    let broker: DevBrokerProcess
    let topic = uniqueTopic("interop")
    static let pythonClient = packageRoot.appendingPathComponent("Tests/Interop/kafka_python_client.py").path

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--topic", "\(topic):3"])
    }

    /// Produces `count` messages with keys and two headers through JumpKafka.
    func produceWithJumpKafka(_ count: Int) async throws {
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: testLogger)
        for index in 0..<count {
            let headers = [KafkaHeader(name: "origin", text: "jump-relay"), KafkaHeader(name: "seq", text: "\(index)")]
            _ = try await producer.send(
                KafkaProducerMessage(topic: topic, key: "jr-key-\(index)", value: "jr-value-\(index)", headers: headers)
            )
        }
        await producer.close()
    }

    /// Reads `count` messages through JumpKafka.
    func consumeWithJumpKafka(_ count: Int) async throws -> [KafkaConsumerMessage] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [broker.bootstrapServers], groupID: uniqueTopic("group"), topics: [topic]),
            logger: testLogger)
        let messages = try await consume(count, from: consumer)
        try await consumer.close()
        return messages
    }

    @Test("kcat reads what JumpKafka produced, keys and headers intact")
    func kcatReadsJumpKafka() async throws {
        try await produceWithJumpKafka(20)
        let result = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try jsonObjects(result.stdout)
        #expect(records.count == 20)
        for record in records {
            let key = try #require(record["key"] as? String)
            let index = try #require(Int(key.dropFirst("jr-key-".count)))
            #expect(record["payload"] as? String == "jr-value-\(index)")
            #expect(record["headers"] as? [String] == ["origin", "jump-relay", "seq", "\(index)"])
        }
        #expect(try await broker.stop() == 0)
    }

    @Test("kafka-python reads what JumpKafka produced, keys and headers intact")
    func kafkaPythonReadsJumpKafka() async throws {
        try await produceWithJumpKafka(20)
        let result = try await runCommand(
            "python3", [Self.pythonClient, "consume", broker.bootstrapServers, topic, "20"])
        #expect(result.status == 0, "\(result.stderr)")
        let records = try jsonObjects(result.stdout)
        #expect(records.count == 20)
        for record in records {
            let key = try #require(record["key"] as? String)
            let index = try #require(Int(key.dropFirst("jr-key-".count)))
            #expect(record["value"] as? String == "jr-value-\(index)")
            #expect(record["headers"] as? [[String]] == [["origin", "jump-relay"], ["seq", "\(index)"]])
        }
        #expect(try await broker.stop() == 0)
    }

    @Test("JumpKafka reads what kcat produced, keys and headers intact")
    func jumpKafkaReadsKcat() async throws {
        let input = (0..<20).map { "kc-key-\($0):kc-value-\($0)" }.joined(separator: "\n") + "\n"
        let result = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-P", "-t", topic, "-K:", "-H", "origin=kcat", "-H", "lang=es"],
            input: input)
        #expect(result.status == 0, "\(result.stderr)")
        let messages = try await consumeWithJumpKafka(20)
        #expect(Set(messages.compactMap(\.keyText)) == Set((0..<20).map { "kc-key-\($0)" }))
        for message in messages {
            #expect(message.valueText == message.keyText?.replacing("key", with: "value"))
            #expect(
                message.headers == [KafkaHeader(name: "origin", text: "kcat"), KafkaHeader(name: "lang", text: "es")])
        }
        #expect(try await broker.stop() == 0)
    }

    @Test("JumpKafka reads what kafka-python produced, keys and headers intact")
    func jumpKafkaReadsKafkaPython() async throws {
        let result = try await runCommand(
            "python3", [Self.pythonClient, "produce", broker.bootstrapServers, topic, "20"])
        #expect(result.status == 0, "\(result.stderr)")
        let messages = try await consumeWithJumpKafka(20)
        #expect(Set(messages.compactMap(\.keyText)) == Set((0..<20).map { "py-key-\($0)" }))
        for message in messages {
            let index = try #require(message.keyText.flatMap { Int($0.dropFirst("py-key-".count)) })
            #expect(message.valueText == "py-value-\(index)")
            #expect(
                message.headers == [
                    KafkaHeader(name: "origin", text: "kafka-python"), KafkaHeader(name: "seq", text: "\(index)"),
                ])
        }
        #expect(try await broker.stop(signal: SIGINT) == 0)
    }
}

@Suite("jump-dev-broker as a process")
struct DevBrokerProcessTests {
    @Test("prints its bootstrap list first, writes the bootstrap file, serves the jump topics, exits 0 on SIGTERM")
    func devBrokerLifecycle() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("bootstrap")).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let broker = try await DevBrokerProcess.start(arguments: ["--bootstrap-file", file, "--partitions", "8"])
        #expect(broker.bootstrapServers.split(separator: ",").count == 3)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == broker.bootstrapServers)
        let metadata = try await runCommand("kcat", ["-b", broker.bootstrapServers, "-L", "-J"])
        let json = try JSONSerialization.jsonObject(with: Data(metadata.stdout.utf8)) as! [String: Any]
        let topics = (json["topics"] as! [[String: Any]]).map {
            ($0["topic"] as! String, ($0["partitions"] as! [Any]).count)
        }
        let partitions = Dictionary(uniqueKeysWithValues: topics)
        #expect(partitions["jump.events"] == 8)
        #expect(partitions["jump.events.dlq"] == 8)
        #expect(partitions["jump.notifications"] == 1)
        #expect(partitions["jump.digests"] == 1)
        #expect(try await broker.stop(signal: SIGTERM) == 0)
    }

    @Test("refuses a malformed extra topic with a usage error")
    func refusesBadTopic() async throws {
        let result = try await runCommand(
            buildProducts.appendingPathComponent("jump-dev-broker").path, ["--topic", "bad:zero"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("bad:zero"))
    }
}
