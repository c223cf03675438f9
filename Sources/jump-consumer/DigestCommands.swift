import ArgumentParser
import Foundation
import JumpCommandLine
import JumpDigests
import JumpKafka
import JumpService
import JumpState
import JumpWorker
import Logging

extension JumpConsumer {
    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Preview, send and list digests (safe while a daemon runs on the same store).",
            subcommands: [Preview.self, SendNow.self, Resend.self, List.self])
    }
}

extension JumpConsumer.Digest {
    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the digest the open window would produce now, without sending or closing anything.")

        @OptionGroup var store: JumpConsumer.StateOptions
        @OptionGroup var digests: JumpConsumer.DigestOptions

        @Option(help: "The audience (consulate, governors-office, or one from the configuration).")
        var audience: String

        @Flag(help: "Print the digest JSON instead of its text.")
        var json = false

        func run() async throws {
            let settings = try await store.settings(digests.commandLine)
            let configuration = try loadConfiguration(settings)
            guard let chosen = configuration.audience(audience) else { throw unknownAudience(audience, configuration) }
            let stateStore = try await store.openForReading()
            let windows = DigestWindows(
                store: stateStore.notifier, configuration: configuration,
                renderer: try DigestRenderer(
                    templateDirectory: configuration.templateDirectory, glossary: configuration.glossary,
                    plausibility: configuration.plausibility), sinks: [],
                logger: Logger(label: "jump-consumer"))
            guard let digest = try await windows.preview(chosen) else { return }
            print(json ? String(decoding: DigestCoding.encode(digest), as: UTF8.self) : digest.fullText)
        }
    }

    struct SendNow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close the open window now and deliver its digest to every sink (before a meeting).")

        @OptionGroup var store: JumpConsumer.StateOptions
        @OptionGroup var digests: JumpConsumer.DigestOptions

        @Option(help: "Only this audience (default: every audience).")
        var audience: String?

        @Option(
            name: [.customShort("b"), .long],
            help: "Bootstrap brokers for jump.digests (else $JUMP_BROKERS, else the configuration's).")
        var brokers: String?

        @Option(
            name: .customShort("X"),
            help: ArgumentHelp("A librdkafka property, key=value (repeatable).", valueName: "key=value"))
        var properties: [String] = []

        @Option(help: "The digests topic (default jump.digests).")
        var digestsTopic: String?

        func validate() throws {
            if let problem = BrokerSettings.commandLineProblem(brokers) { throw ValidationError(problem) }
        }

        func run() async throws {
            let (stateStore, service, configuration) = try await DigestSending.open(
                store: store, digests: digests, brokers: brokers, properties: properties, digestsTopic: digestsTopic)
            if let audience, configuration.audience(audience) == nil {
                await service.close()
                throw unknownAudience(audience, configuration)
            }
            let built = try await service.sendNow(audience: audience)
            try await service.deliverOutstanding(timeout: .seconds(20))
            await service.close()
            for digest in built { print("\(digest.id)\t\(Wording.counted(Int64(digest.itemCount), "item", "items"))") }
            if built.isEmpty { print("no digest: nothing to report in the open windows") }
            try await DigestSending.reportPending(stateStore)
        }
    }

    struct Resend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a past digest again by e-mail, to each recipient it was mailed to (who lost it).",
            discussion: """
                Each of its e-mail deliveries that was delivered or failed for good goes again, with a Message-ID of \
                its own (a mail server does not drop it as a repeat); its files and its message on jump.digests are \
                left as they are. The console's "Send again by mail" does the same.
                """)

        @OptionGroup var store: JumpConsumer.StateOptions
        @OptionGroup var digests: JumpConsumer.DigestOptions

        @Argument(help: "The digest's ID, as 'digest list' shows it (consulate/2026-11-29T14:00:00Z).")
        var id: String

        func run() async throws {
            let (stateStore, service, _) = try await DigestSending.open(
                store: store, digests: digests, brokers: nil, properties: [], digestsTopic: nil)
            guard let (_, deliveries) = try await stateStore.notifier.digest(id: id) else {
                await service.close()
                Console.error("no digest \(id) in \(stateStore.path ?? "the store"); 'digest list' shows the latest")
                throw ExitCode(64)
            }
            let queued = try await stateStore.notifier.resendByMail(digestID: id)
            guard queued > 0 else {
                await service.close()
                let mailed = deliveries.contains { $0.sink == "email" }
                Console.error(
                    mailed
                        ? "\(id): its e-mail deliveries are still under way; they are not sent twice"
                        : "\(id) was not sent by e-mail (no email sink when it was built): nothing to send again")
                throw ExitCode(64)
            }
            Logger(label: "jump-consumer").notice(
                "digest sent again by mail", metadata: ["digest": "\(id)", "recipients": .stringConvertible(queued)])
            try await service.deliverOutstanding(timeout: .seconds(20))
            await service.close()
            let mail = try await stateStore.notifier.digest(id: id)?.deliveries.filter { $0.sink == "email" } ?? []
            for delivery in mail where delivery.status == "delivered" {
                print("\(id)\temail \(delivery.recipient)\tdelivered")
            }
            try await DigestSending.reportPending(stateStore, digest: id, sink: "email")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What was sent, when, and to which sinks (newest first); failures show their last error.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Option(help: "How many digests.")
        var limit = 20

        @Flag(help: "Print JSON lines.")
        var json = false

        func run() async throws {
            let stateStore = try await store.openForReading()
            let entries = try await stateStore.notifier.digests(limit: limit)
            if entries.isEmpty, !json { Console.error("no digest in \(stateStore.path ?? "") yet") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for (digest, deliveries) in entries {
                if json {
                    // Every time in one format, RFC 3339 in UTC.
                    struct Delivery: Encodable {
                        var sink: String
                        var recipient: String
                        var status: String
                        var attempts: Int
                        var deliveredAt: String?
                        var deliveredTo: String?
                        var lastError: String?
                    }
                    struct Listing: Encodable {
                        var id: String
                        var audience: String
                        var builtAt: String
                        var items: Int
                        var deliveries: [Delivery]
                    }
                    let listing = Listing(
                        id: digest.id, audience: digest.audience, builtAt: Timestamp.utc(digest.builtAt),
                        items: digest.itemCount,
                        deliveries: deliveries.map {
                            Delivery(
                                sink: $0.sink, recipient: $0.recipient, status: $0.status, attempts: $0.attempts,
                                deliveredAt: $0.deliveredAt.map(Timestamp.utc), deliveredTo: $0.deliveredTo,
                                lastError: $0.lastError)
                        })
                    print(String(decoding: try encoder.encode(listing), as: UTF8.self))
                    continue
                }
                Console.line(
                    "\(digest.id)  built \(Timestamp.utc(digest.builtAt))  \(Wording.counted(Int64(digest.itemCount), "item", "items"))"
                )
                for delivery in deliveries {
                    let target = delivery.recipient.isEmpty ? delivery.sink : "\(delivery.sink) \(delivery.recipient)"
                    let when =
                        (delivery.deliveredAt.map { " at \(Timestamp.utc($0))" } ?? "")
                        + (delivery.deliveredTo.map { " to \($0)" } ?? "")
                    let error = delivery.lastError.map { ": \($0)" } ?? ""
                    Console.line(
                        "  \(target): \(delivery.status)\(when) (\(Wording.counted(Int64(delivery.attempts), "attempt", "attempts")))\(error)"
                    )
                }
            }
        }
    }
}

/// What `digest send-now` and `digest resend` share: the daemon's layers, the store and a digest service over it.
private enum DigestSending {
    /// The store named by the options, and a digest service that delivers to the configured sinks (the daemon's
    /// digest configuration, brokers and kafka.* settings; its digest directory unless one is given).
    static func open(
        store: JumpConsumer.StateOptions, digests: JumpConsumer.DigestOptions, brokers: String?,
        properties: [String], digestsTopic: String?
    ) async throws -> (StateStore, DigestService, DigestConfiguration) {
        var logger = Logger(label: "jump-consumer")
        logger.logLevel = .notice
        let settings = try await store.settings(
            digests.commandLine.merging(["brokers": brokers, "digestsTopic": digestsTopic]) { $1 },
            readingSecretFiles: true)
        let configuration = try loadConfiguration(settings)
        Console.warnAboutSecrets(inPassThrough: properties)
        let overrides: [String: String]
        do {
            overrides = try Layers.kafkaProperties(settings, passThrough: properties)
        } catch {
            throw ValidationError(error.message)
        }
        var servers: [String]?
        if configuration.sinks.contains(.topic) {
            do {
                let resolved = try BrokerSettings.resolve(brokers: settings.brokers, overrides: overrides)
                if let warning = resolved.warning { logger.warning("\(warning)") }
                servers = resolved.servers
            } catch {
                logger.warning("\(error); the digests wait for jump.digests until a notifier with brokers runs")
            }
        }
        let stateStore = try store.openExisting(settings)
        // Without --digest-dir (or digestDir in a layer), the files go where the daemon on this store writes them.
        var directory = settings.digestDirectory
        if settings.digestDir == nil, let recorded = try await stateStore.recordedDigestDirectory() {
            directory = recorded
        }
        if configuration.sinks.contains(where: { $0 == .log || $0 == .jsonl }) {
            logger.notice("digest files in \(directory)")
        }
        do {
            let service = try DigestService(
                configuration: configuration, store: stateStore, directory: directory,
                brokers: servers, overrides: overrides, digestsTopic: settings.digestsTopic, logger: logger)
            return (stateStore, service, configuration)
        } catch {
            Console.error("\(error)")
            throw ExitCode(78)
        }
    }

    /// Lists the deliveries not delivered yet (of one digest and sink, if given), with their last errors, and
    /// exits 75 if there are any.
    static func reportPending(_ stateStore: StateStore, digest: String? = nil, sink: String? = nil) async throws {
        let pending = try await stateStore.notifier.digests(limit: 200, id: digest).flatMap { entry in
            entry.deliveries.filter { $0.status != "delivered" && (sink == nil || $0.sink == sink) }
                .map { (entry.digest.id, $0) }
        }
        for (id, delivery) in pending {
            let target = delivery.recipient.isEmpty ? delivery.sink : "\(delivery.sink) \(delivery.recipient)"
            Console.fields([id, target, "\(delivery.status)", delivery.lastError ?? ""])
        }
        if !pending.isEmpty {
            Console.error("\(pending.count) deliveries are not delivered yet (above, with their last errors)")
            throw ExitCode(75)
        }
    }
}

private func loadConfiguration(_ settings: ConsumerSettings) throws -> DigestConfiguration {
    do {
        return try settings.digestConfiguration()
    } catch {
        Console.error("\(error)")
        throw ExitCode(78)
    }
}

/// An audience the configuration does not have: one line naming the ones it has (no usage text), exit 64.
private func unknownAudience(_ audience: String, _ configuration: DigestConfiguration) -> ExitCode {
    Console.error(
        "no audience \(audience); the configuration has "
            + configuration.audiences.map(\.id).joined(separator: ", "))
    return ExitCode(64)
}
