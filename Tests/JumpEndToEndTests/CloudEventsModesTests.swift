import Foundation
import JumpTestSupport
import Testing

/// Events from a system using the CloudEvents Kafka binding in binary mode (confluent-kafka, ce_ headers, the data
/// as the value) fold into the same state as the same events in structured mode; a binary-mode message that is
/// not an event is dead-lettered with its ce_ headers. Real processes, a real broker.
@Suite("CloudEvents binary and structured modes")
struct CloudEventsModesTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(
            arguments: ["--broker-count", "1", "--partitions", "3", "--topic", "structured.events:3"])
        directory = try testDirectory("cloudevents-modes")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func consumer(_ arguments: [String]) async throws -> CommandResult {
        try await runCommand(product("jump-consumer"), arguments, timeout: .seconds(120))
    }

    @Test("binary-mode events from confluent-kafka fold into the same state as structured ones")
    func binaryMode() async throws {
        let events = try await runCommand(product("jump-producer"), ["generate", "--count", "300", "--seed", "9"])
        #expect(events.status == 0)
        let binary = try await runCommand(
            "python3",
            [
                packageRoot.appendingPathComponent("Tests/Interop/binary_mode_producer.py").path,
                broker.bootstrapServers, "jump.events",
            ], input: events.stdout)
        #expect(
            binary.status == 0 && binary.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "301",
            "\(binary.stderr)")
        let structured = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, "-t", "structured.events", "-"],
            input: events.stdout)
        #expect(structured.status == 0, "\(structured.stderr)")

        let binaryState = path("binary.sqlite")
        let structuredState = path("structured.sqlite")
        let runs = [
            (binaryState, ["-t", "jump.events"]), (structuredState, ["-t", "structured.events", "--group", "other"]),
        ]
        for (state, topic) in runs {
            let run = try await consumer(
                [
                    "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--role", "state", "--http",
                    "off",
                ]
                    + topic + quickGroupArguments)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let summary = try await consumer(["state", "summary", "--json", "--state", binaryState])
        let object = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
        #expect(object?["eventsApplied"] as? Int == 300)
        #expect(object?["deadLettered"] as? Int == 1)
        // The same events, the same ids, the same content: the same state in every partition, whichever mode
        // carried them (the next offsets differ by the one dead letter).
        var hashes: [[String]] = []
        for (state, topic) in [(binaryState, "jump.events"), (structuredState, "structured.events")] {
            let lines = try await consumer(["state", "fingerprint", "--state", state, "--topic", topic]).stdout
            hashes.append(
                lines.split(separator: "\n").filter { !$0.hasPrefix("all") }.map { line in
                    let fields = line.split(separator: " ")
                    return "\(fields.first ?? "") \(fields.last ?? "")"
                })
        }
        #expect(hashes[0].count == 3 && hashes[0] == hashes[1], "\(hashes)")
        let json = try await consumer(["state", "fingerprint", "--json", "--state", binaryState])
        let fingerprint = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let partitions = fingerprint?["partitions"] as? [[String: Any]]
        #expect(partitions?.map { "\($0["partition"] ?? "") \($0["hash"] ?? "")" } == hashes[0])
        // The companies of that state, listed and one by one, in text and JSON.
        let listing = try await consumer(["state", "companies", "--json", "--state", binaryState])
        let companies = try listing.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(listing.status == 0 && !companies.isEmpty, "\(listing.stderr)")
        let first = try #require(companies.first)
        let id = try #require(first["id"] as? String)
        let report = try await consumer(["state", "company", id, "--json", "--state", binaryState])
        let detail = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
        let expansions = (detail?["expansions"] as? [Any])?.count
        let investments = (detail?["investments"] as? [Any])?.count
        #expect(expansions == first["expansions"] as? Int && investments == first["investments"] as? Int)
        let text = try await consumer(["state", "companies", "--state", binaryState])
        #expect(text.stdout.split(separator: "\n").count == companies.count)
        #expect(try await consumer(["state", "company", id, "--state", binaryState]).stdout.hasPrefix(id + ": "))
        // Every subcommand reads the same configuration as run: the store and the brokers from a file.
        let config = path("consumer.json")
        try #"{"brokers": "\#(broker.bootstrapServers)", "state": "\#(binaryState)", "kafka": {"clientId": "ops"}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let configured = try await consumer(["state", "summary", "--json", "--config", config])
        let configuredSummary = try JSONSerialization.jsonObject(with: Data(configured.stdout.utf8)) as? [String: Any]
        #expect(configuredSummary?["eventsApplied"] as? Int == 300, "\(configured.stderr)")
        let letters = try await consumer(["dlq", "list", "--config", config])
        #expect(letters.status == 0 && letters.stdout.split(separator: "\n").count == 1, "\(letters.stderr)")
        let bad = try await consumer(["digest", "list", "--config", config, "--state", "/nonexistent/s.sqlite"])
        #expect(bad.status == 78, "the command line wins over the file: \(bad.stderr)")
        let dlq = try await runCommand(
            "kcat",
            ["-b", broker.bootstrapServers, "-C", "-t", "jump.events.dlq", "-o", "beginning", "-e", "-q", "-f", "%h\n"])
        #expect(dlq.stdout.contains("ce_id=binary-without-type"), "\(dlq.stdout.prefix(500))")
        #expect(dlq.stdout.contains("ce_specversion=1.0"))
    }
}
