import Foundation
import JumpEvents
import JumpKafka
import JumpService
import JumpState
import JumpTestSupport
import JumpWorker
import Logging
import Prometheus
import ServiceLifecycle
import Testing

/// The service is built by a function, as Hummingbird's template builds its application: a test calls it in
/// process and runs what `jump-consumer run` runs.
@Suite("The consumer service, built in process")
struct ConsumerApplicationTests {
    @Test("the settings' daemon folds 40 events, serves its probes and console, and stops on a graceful shutdown")
    func builtInProcess() async throws {
        let logger = Logger(label: "consumer-application-tests")
        let cluster = try MockCluster(brokerCount: 1, logger: logger)
        for (topic, partitions) in [
            ("jump.events", 3), ("jump.events.dlq", 1), ("jump.notifications", 1), ("jump.digests", 1),
        ] {
            try cluster.createTopic(topic, partitions: partitions)
        }
        let lines = Array(EventGenerator(seed: 11).prefix(40))
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: [cluster.bootstrapServers]), logger: logger)
        for line in lines {
            _ = try await producer.send(KafkaProducerMessage(topic: "jump.events", key: nil, value: line))
        }
        await producer.close()

        let directory = try testDirectory("application")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = ConsumerSettings()
        settings.brokers = cluster.bootstrapServers
        settings.state = directory.appendingPathComponent("state.sqlite").path
        settings.http = "127.0.0.1:\(freeLoopbackPort())"
        settings.placementPartitioner = "off"  // unkeyed test messages stay where they landed
        let daemon = try #require(
            try await ConsumerApplication.daemon(settings: settings, overrides: [:], untilIdle: false, logger: logger))
        let group = try ConsumerApplication.serviceGroup(
            daemon: daemon, settings: settings, registry: PrometheusCollectorRegistry(), logger: logger)
        let running = Task { try await group.run() }

        try await eventually("the events folded", timeout: .seconds(60)) {
            try await daemon.store.summary().eventsApplied == lines.count
        }
        func status(_ route: String) async throws -> String {
            try await runCommand(
                "curl", ["-s", "-o", "/dev/null", "-m", "10", "-w", "%{http_code}", "http://\(settings.http)\(route)"]
            ).stdout
        }
        for route in ["/healthz", "/metrics", "/console"] {
            #expect(try await status(route) == "200", "\(route)")
        }
        // Ready once the notifier has also caught up with the items the fold routed.
        try await eventually("ready") { try await status("/readyz") == "200" }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(try await StateStore.openForReading(path: settings.state).summary().eventsApplied == lines.count)
    }
}
