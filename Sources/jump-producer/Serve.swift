import ArgumentParser
import Foundation
import JumpCommandLine
import JumpKafka
import JumpPublishing
import JumpService
import Logging
import NIOSSL
import ServiceLifecycle
import UnixSignals

extension JumpProducer {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take events over HTTP (CloudEvents: structured, binary and batch modes) and publish them.",
            discussion: """
                POST /events answers 200 only once Kafka acknowledged every event of the request, with each one's \
                id, topic, partition and offset; otherwise an application/problem+json naming what is wrong. \
                Clients send Authorization: Bearer TOKEN; the tokens file holds only SHA-256 hashes, with the \
                sources and types each token may publish (SIGHUP reloads it). Also /healthz, /readyz, /metrics and \
                /openapi.json. Exit status: 0 after SIGTERM or SIGINT; 78 on a configuration error.
                """)

        @Option(help: "Listen on HOST:PORT (default 127.0.0.1:8642; JUMP_SERVE_LISTEN).")
        var listen: String?

        @Option(
            help: ArgumentHelp(
                "The tokens file (JUMP_SERVE_TOKENS_FILE; else the systemd credential publish-tokens).",
                valueName: "file"))
        var tokens: String?

        @OptionGroup var broker: BrokerOptions

        @Option(name: [.customShort("t"), .long], help: "The topic to publish to (default jump.events).")
        var topic: String?

        @Option(help: "How long a request may wait for its body and Kafka's acknowledgements (default 10000).")
        var requestTimeoutMs: Int?

        @Flag(help: "A TLS proxy in front terminates TLS: without HTTPS, required to listen beyond loopback.")
        var behindTlsProxy = false

        @Option(
            help: ArgumentHelp(
                "Serve HTTPS with this PEM certificate chain (and --tls-key); SIGHUP reads both again.",
                valueName: "file"))
        var tlsCertificate: String?

        @Option(help: ArgumentHelp("The PEM private key of --tls-certificate.", valueName: "file"))
        var tlsKey: String?

        @Option(help: ArgumentHelp("A JSON configuration file (else $JUMP_CONFIG).", valueName: "file"))
        var config: String?

        @Option(help: "trace, debug, info, notice, warning, error or critical (default info).")
        var logLevel: String?

        @Option(help: "logfmt or json (default logfmt).")
        var logFormat: String?

        func run() async throws {
            let console = Console()
            let commandLine: [String: String?] = [
                "serve.listen": listen, "serve.tokensFile": tokens, "brokers": broker.brokers, "topic": topic,
                "serve.requestTimeoutMs": requestTimeoutMs.map(String.init),
                "serve.behindTlsProxy": behindTlsProxy ? "true" : nil,
                "serve.tlsCertificate": tlsCertificate, "serve.tlsKey": tlsKey, "log.level": logLevel,
                "log.format": logFormat,
            ]
            let settings: PublishServerSettings
            let tokens: PublishTokens
            let identity: ServedIdentity?
            do {
                settings = try PublishServerSettings.resolve(
                    commandLine: commandLine.compactMapValues { $0 }, file: config)
                tokens = try settings.loadTokens()
                identity = try ServedIdentity(settings)
            } catch {
                console.line("jump-producer: \(error)")
                throw ExitCode(78)
            }
            let overrides = settings.kafka.merging(try KafkaProperties.parse(broker.properties)) { _, given in given }
            if let problem = PublishServerSettings.unsafeProperty(in: overrides) {
                console.line("jump-producer: -X \(problem)")
                throw ExitCode(78)
            }
            let registry = StructuredLogHandler.bootstrap(
                format: settings.logFormat, level: settings.logLevel, secrets: settings.secrets, overrides: overrides)
            PublishServer.registerMetrics()
            let logger = Logger(label: "jump-producer")
            let address = HTTPAddress(settings.listen)!
            if let problem = HealthEndpoint.probe(address) {
                logger.critical("cannot listen on \(address): \(problem); set --listen HOST:PORT (JUMP_SERVE_LISTEN)")
                throw ExitCode(78)
            }
            let producer: KafkaProducer
            do {
                let resolved = try BrokerSettings.resolve(brokers: settings.brokers, overrides: overrides)
                if let warning = resolved.warning { logger.warning("\(warning)") }
                var configuration = KafkaProducerConfiguration(bootstrapServers: resolved.servers)
                // An event not acknowledged within its request's deadline is failed then, not retried behind the
                // client's back while the client sends it again.
                configuration.messageTimeout = .milliseconds(settings.requestTimeoutMs)
                // Each request waits for its acknowledgements: 1 ms of lingering, not librdkafka's 5, still groups
                // concurrent requests' events (-X linger.ms wins).
                configuration.linger = .milliseconds(1)
                configuration.overrides = overrides
                producer = try KafkaProducer(configuration: configuration, logger: logger)
            } catch {
                logger.critical("cannot start: \(error)")
                throw ExitCode(78)
            }
            let server = PublishServer(
                producer: producer, topic: settings.topic, tokens: tokens,
                requestTimeout: .milliseconds(settings.requestTimeoutMs), logger: logger)
            let systemd = SystemdNotifier()
            let limits = HTTPLimits(descriptorLimit: HTTPLimits.raiseDescriptorLimit())
            let application = try server.application(
                address: address, registry: registry, limits: limits, tls: identity?.configuration,
                onRunning: {
                    logger.notice(
                        "serving POST /events",
                        metadata: [
                            identity == nil ? "http" : "https": "\(address)", "topic": "\(settings.topic)",
                            "tokens": "\(server.tokenNames.joined(separator: ","))",
                        ])
                    systemd.ready(status: "serving")
                })
            var group = ServiceGroupConfiguration(
                services: [
                    .init(service: application, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: PublishServerLifecycle(server: server)),
                ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = .seconds(settings.shutdownTimeoutSeconds)
            group.maximumCancellationDuration = .seconds(5)
            try await Signals.handling(
                [.sighup],
                with: { _ in
                    do {
                        server.replaceTokens(try settings.loadTokens())
                        logger.notice("SIGHUP: tokens reloaded", metadata: ["tokens": "\(server.tokenNames)"])
                    } catch {
                        logger.error("SIGHUP: the tokens are not reloaded; the previous ones stay in force: \(error)")
                    }
                    guard let identity else { return }
                    do {
                        try identity.reload()
                        logger.notice("SIGHUP: TLS certificate and key reloaded, in force for new connections")
                    } catch {
                        logger.error(
                            "SIGHUP: the TLS certificate and key are not reloaded; the previous ones stay in force: \(error)"
                        )
                    }
                }
            ) {
                try await ServiceGroup(configuration: group).run()
            }
            systemd.stopping()
            let undelivered = await producer.close(timeout: .seconds(5))
            logger.notice("stopped", metadata: ["undelivered": .stringConvertible(undelivered)])
        }
    }
}
