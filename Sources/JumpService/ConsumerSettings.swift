import Configuration
import Foundation
import JumpCommandLine
import JumpConsole
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Logging

/// Everything `jump-consumer run` reads, resolved in layers, the Swift server way (swift-configuration): the
/// command line, then the environment (`JUMP_*`: `batchSize` is `JUMP_BATCH_SIZE`, `kafka.saslPassword` is
/// `JUMP_KAFKA_SASL_PASSWORD`), then the configuration file (`--config`, else `$JUMP_CONFIG`; JSON, documented in
/// `Deploy/consumer.example.json`), then the defaults here. A bad value is refused with its key, the value and
/// what is allowed.
package struct ConsumerSettings: Sendable, Equatable {
    /// The roles the process runs.
    package var role = ConsumerRole.all
    /// Kafka's bootstrap servers, or none (then `-X bootstrap.servers` or a dev broker).
    package var brokers: String?
    /// The state store file.
    package var state = "jump-state.sqlite"
    /// The events topic.
    package var topic = "jump.events"
    /// The dead-letter topic.
    package var dlqTopic = "jump.events.dlq"
    /// The state worker's consumer group.
    package var group = "jump-state"
    /// The notifications topic.
    package var notificationsTopic = "jump.notifications"
    /// The digests topic.
    package var digestsTopic = "jump.digests"
    /// The most messages applied in one transaction.
    package var batchSize = 1_000
    /// A pause after each batch, in milliseconds.
    package var pauseMs = 0
    /// How many offsets back duplicates are recognized.
    package var ledgerWindow: Int64 = 1_000_000
    /// Where to continue when the store's offset is not in the log (`earliest` or `latest`); `nil` stops the worker.
    package var offsetReset: KafkaConsumerConfiguration.OffsetReset?
    /// The digest configuration file (audiences), or `nil` for the built-in one.
    package var digestConfig: String?
    /// Where digest files go; `nil`: beside the state store.
    package var digestDir: String?
    /// The HTTP endpoint, `HOST:PORT`, or `off`.
    package var http = "127.0.0.1:9464"
    /// The level below which log records are dropped.
    package var logLevel = Logger.Level.info
    /// How log records are written.
    package var logFormat = StructuredLogHandler.Format.logfmt
    /// How long a graceful shutdown may take before the rest is cancelled, in seconds.
    package var shutdownTimeoutSeconds = 20
    /// With `--until-idle`, how long a role waits for its partitions before exiting 69, in seconds.
    package var waitTimeoutSeconds = 60
    /// `/readyz` fails while the consumer lag of the assigned partitions is above this.
    package var readinessMaxLag: Int64 = 10_000
    /// The partitioner event keys are checked against (`murmur2_random`, `consistent_random`), or `off`: an event
    /// whose subject belongs in another partition is moved there.
    package var placementPartitioner = KafkaPartitioner.murmur2Random.name
    /// Per partition of the events topic, the first offset whose key is checked (`0@1200,1@980`); what came before
    /// stays where it is. Partitions not listed are checked from the start.
    package var placementCheckFrom: [Int32: Int64] = [:]
    /// librdkafka security properties from the configuration (`kafka.*`), secrets included.
    package var kafka: [String: String] = [:]
    /// The file holding the operator console's sign-in token (`console.tokenFile`), if any.
    package var consoleTokenFile: String?
    /// The console's operators and their tokens' hashes (or one token): read from ``consoleTokenFile``, or from
    /// the systemd credential `console-token`.
    package var consoleOperators: ConsoleOperators?
    /// The host names the console is served as (`console.hosts`, comma-separated), besides the
    /// loopback names on a loopback endpoint; required beyond loopback. Requests for any other `Host` are refused.
    package var consoleHosts: [String] = []

    /// The defaults.
    package init() {}

    /// The configuration keys of `kafka.*` and the librdkafka properties they set.
    package static let kafkaKeys: [(key: String, property: String, secret: Bool)] = [
        ("kafka.securityProtocol", "security.protocol", false),
        ("kafka.saslMechanism", "sasl.mechanism", false),
        ("kafka.saslUsername", "sasl.username", false),
        ("kafka.saslPassword", "sasl.password", true),
        ("kafka.sslCaLocation", "ssl.ca.location", false),
        ("kafka.sslCertificateLocation", "ssl.certificate.location", false),
        ("kafka.sslKeyLocation", "ssl.key.location", false),
        ("kafka.sslKeyPassword", "ssl.key.password", true),
        ("kafka.clientId", "client.id", false),
    ]

    /// Every configuration key, in the order `config show` prints them.
    package static let keys: [String] =
        [
            "role", "brokers", "state", "topic", "dlqTopic", "group", "notificationsTopic", "digestsTopic",
            "batchSize", "pauseMs", "ledgerWindow", "offsetReset", "digestConfig", "digestDir", "http", "log.level",
            "log.format", "shutdownTimeoutSeconds", "waitTimeoutSeconds", "readiness.maxLag", "placement.partitioner",
            "placement.checkFrom", "console.tokenFile", "console.hosts",
        ] + kafkaKeys.flatMap { $0.secret ? [$0.key, $0.key + "File"] : [$0.key] }

    /// Resolves the settings from `reader`; with `readingSecretFiles` off, a `*File` secret is not read (the value
    /// names the file).
    /// - Throws: ``SettingsError`` naming the key, the value and what is allowed.
    package static func resolve(
        _ reader: ConfigReader, readingSecretFiles: Bool = true
    ) throws(SettingsError)
        -> ConsumerSettings
    {
        var settings = ConsumerSettings()
        let values = SettingsReader(reader: reader)
        settings.role = try values.choice("role", settings.role)
        settings.brokers = values.string("brokers")
        settings.state = values.string("state") ?? Self.defaultStatePath()
        settings.topic = try values.name("topic", settings.topic)
        settings.dlqTopic = try values.name("dlqTopic", settings.dlqTopic)
        settings.group = try values.name("group", settings.group)
        settings.notificationsTopic = try values.name("notificationsTopic", settings.notificationsTopic)
        settings.digestsTopic = try values.name("digestsTopic", settings.digestsTopic)
        settings.batchSize = Int(try values.integer("batchSize", Int64(settings.batchSize), 1...100_000))
        settings.pauseMs = Int(try values.integer("pauseMs", Int64(settings.pauseMs), 0...60_000))
        settings.ledgerWindow = try values.integer("ledgerWindow", settings.ledgerWindow, 1...Int64.max)
        if values.string("offsetReset") != nil {
            settings.offsetReset = try values.choice(
                "offsetReset", .earliest, among: [.earliest, .latest], named: \.description)
        }
        settings.digestConfig = values.string("digestConfig")
        settings.digestDir = values.string("digestDir")
        settings.http = try values.address("http", settings.http)
        settings.logLevel = try values.choice("log.level", settings.logLevel)
        settings.logFormat = try values.choice("log.format", settings.logFormat)
        settings.shutdownTimeoutSeconds = Int(
            try values.integer("shutdownTimeoutSeconds", Int64(settings.shutdownTimeoutSeconds), 1...600))
        settings.waitTimeoutSeconds = Int(
            try values.integer("waitTimeoutSeconds", Int64(settings.waitTimeoutSeconds), 1...86_400))
        settings.readinessMaxLag = try values.integer("readiness.maxLag", settings.readinessMaxLag, 0...Int64.max)
        settings.placementPartitioner = try values.choice(
            "placement.partitioner", settings.placementPartitioner, KafkaPartitioner.all.map(\.name) + ["off"])
        if let text = values.string("placement.checkFrom") {
            guard let offsets = KeyPlacement.cutover(parsing: text) else {
                throw SettingsError(
                    key: "placement.checkFrom", value: text,
                    allowed: "must be PARTITION@OFFSET pairs separated by commas, as `jump-consumer placement cutover` "
                        + "prints them (0@1200,1@980)")
            }
            settings.placementCheckFrom = offsets
        }
        settings.consoleTokenFile = values.string("console.tokenFile")
        settings.consoleHosts = try values.hostNames("console.hosts")
        if readingSecretFiles {
            settings.consoleOperators = try consoleOperators(file: settings.consoleTokenFile)
        }
        for (key, property, secret) in kafkaKeys {
            if let value = values.string(key, secret: secret) { settings.kafka[property] = value }
            if secret, let file = values.string(key + "File") {
                settings.kafka[property] =
                    readingSecretFiles
                    ? try SettingsReader.secret(fromFile: file, key: key + "File") : "(read from \(file) by run)"
            }
        }
        return settings
    }

    /// The console's operators from `file`, else from systemd's credential `console-token`: a tokens file of
    /// named hashes, or one token of at least 16 characters (``ConsoleOperators``).
    static func consoleOperators(file: String?) throws(SettingsError) -> ConsoleOperators? {
        let credential = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"].map { $0 + "/console-token" }
        guard
            let path = file
                ?? credential.flatMap({ FileManager.default.fileExists(atPath: $0) ? $0 : nil })
        else { return nil }
        let key = file == nil ? "console-token credential" : "console.tokenFile"
        do {
            return try ConsoleOperators(fileText: try SettingsReader.secret(fromFile: path, key: key))
        } catch let error as TokensFileError {
            throw SettingsError(key: key, value: path, allowed: "\(error)")
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError(key: key, value: path, allowed: "cannot be read: \(error)")
        }
    }

    /// `$STATE_DIRECTORY/state.sqlite` under systemd, else `./jump-state.sqlite`.
    package static func defaultStatePath() -> String {
        if let directory = ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first {
            return "\(directory)/state.sqlite"
        }
        return "jump-state.sqlite"
    }

    /// The digest configuration `digestConfig` names, else the built-in one.
    /// - Throws: ``DigestConfigurationError`` naming the file, the place and the problem.
    package func digestConfiguration() throws(DigestConfigurationError) -> DigestConfiguration {
        guard let digestConfig else { return .builtIn }
        return try DigestConfiguration.load(path: digestConfig)
    }

    /// Where digest files go.
    package var digestDirectory: String { Self.digestDirectory(digestDir, state: state) }

    /// `digestDir` if given, else the directory of the state store.
    package static func digestDirectory(_ digestDir: String?, state: String) -> String {
        if let digestDir { return digestDir }
        return StorePath.parentDirectory(of: state)
    }

    /// Where events belong, for the state worker.
    package var placement: KeyPlacement {
        KeyPlacement(partitioner: KafkaPartitioner(name: placementPartitioner), checkFrom: placementCheckFrom)
    }

    /// The secret values in these settings (to redact from logs).
    package var secrets: [String] {
        (Self.kafkaKeys.filter(\.secret).compactMap { kafka[$0.property] }
            + [consoleOperators?.plainToken].compactMap { $0 })
            .filter { !$0.isEmpty }
    }

    /// The effective settings as `key = value` lines, secrets redacted, for `jump-consumer config show`.
    package func describe() -> [String] {
        var lines = [
            "role = \(role.rawValue)", "brokers = \(brokers ?? "(unset: -X bootstrap.servers or a dev broker)")",
            "state = \(state)", "topic = \(topic)", "dlqTopic = \(dlqTopic)", "group = \(group)",
            "notificationsTopic = \(notificationsTopic)", "digestsTopic = \(digestsTopic)",
            "batchSize = \(batchSize)", "pauseMs = \(pauseMs)", "ledgerWindow = \(ledgerWindow)",
            "offsetReset = \(offsetReset?.description ?? "(unset: stop)")",
            "digestConfig = \(digestConfig ?? "(built-in)")",
            "digestDir = \(digestDirectory)", "http = \(http)", "log.level = \(logLevel.rawValue)",
            "log.format = \(logFormat.rawValue)", "shutdownTimeoutSeconds = \(shutdownTimeoutSeconds)",
            "waitTimeoutSeconds = \(waitTimeoutSeconds)",
            "readiness.maxLag = \(readinessMaxLag)", "placement.partitioner = \(placementPartitioner)",
            "placement.checkFrom = \(placementCheckFrom.isEmpty ? "(unset: every offset)" : KeyPlacement.cutoverText(placementCheckFrom))",
            "console.tokenFile = \(consoleTokenFile ?? "(unset: the console is open on loopback, off beyond it)")",
            "console.hosts = \(consoleHosts.isEmpty ? "(unset: loopback names only; the console is off beyond loopback)" : consoleHosts.joined(separator: ","))",
        ]
        for (key, property, secret) in Self.kafkaKeys {
            guard let value = kafka[property] else { continue }
            lines.append("\(key) = \(secret ? KafkaProperties.redacted : value)")
        }
        return lines
    }
}

/// A configuration value that cannot be used.
package struct SettingsError: Error, CustomStringConvertible, Equatable {
    /// The key (`batchSize`; its environment variable is `JUMP_BATCH_SIZE`).
    package var key: String
    /// The value given (redacted for secrets).
    package var value: String
    /// What is allowed.
    package var allowed: String

    /// A sentence naming the key, its environment variable, the value and what is allowed.
    package var description: String {
        "configuration \(key) (\(Self.environmentName(key))) = \"\(value)\": \(allowed)"
    }

    /// The environment variable of a key: `JUMP_` + its components, camelCase split by underscores.
    package static func environmentName(_ key: String) -> String {
        var name = "JUMP"
        for component in key.split(separator: ".") {
            name += "_"
            var previousLowercase = false
            for character in component {
                if character.isUppercase && previousLowercase { name += "_" }
                previousLowercase = character.isLowercase || character.isNumber
                name += character.uppercased()
            }
        }
        return name
    }
}

/// Reads typed values and refuses bad ones.
struct SettingsReader {
    let reader: ConfigReader

    func string(_ key: String, secret: Bool = false) -> String? {
        if let text = reader.string(forKey: ConfigKey(key), isSecret: secret) { return text }
        if let number = reader.int(forKey: ConfigKey(key)) { return String(number) }
        return nil
    }

    func integer(_ key: String, _ fallback: Int64, _ range: ClosedRange<Int64>) throws(SettingsError) -> Int64 {
        let value: Int64
        if let number = reader.int(forKey: ConfigKey(key)) {
            value = Int64(number)
        } else if let text = reader.string(forKey: ConfigKey(key)) {
            guard let number = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw SettingsError(key: key, value: text, allowed: "must be a whole number in \(describe(range))")
            }
            value = number
        } else {
            return fallback
        }
        guard range.contains(value) else {
            throw SettingsError(key: key, value: String(value), allowed: "must be in \(describe(range))")
        }
        return value
    }

    func choice(_ key: String, _ fallback: String, _ allowed: [String]) throws(SettingsError) -> String {
        try choice(key, fallback, among: allowed, named: { $0 })
    }

    /// One of an enumeration's cases, by its raw value.
    func choice<Value: RawRepresentable & CaseIterable>(
        _ key: String, _ fallback: Value
    ) throws(SettingsError) -> Value where Value.RawValue == String {
        try choice(key, fallback, among: Array(Value.allCases), named: \.rawValue)
    }

    /// One of `allowed`, by its name.
    func choice<Value>(
        _ key: String, _ fallback: Value, among allowed: [Value], named name: (Value) -> String
    ) throws(SettingsError) -> Value {
        guard let value = string(key) else { return fallback }
        guard let chosen = allowed.first(where: { name($0) == value }) else {
            throw SettingsError(
                key: key, value: value, allowed: "must be one of \(allowed.map(name).joined(separator: ", "))")
        }
        return chosen
    }

    func name(_ key: String, _ fallback: String) throws(SettingsError) -> String {
        guard let value = string(key) else { return fallback }
        guard !value.isEmpty, value.count <= 249,
            value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw SettingsError(key: key, value: value, allowed: "must be 1 to 249 of a-z A-Z 0-9 . _ -")
        }
        return value
    }

    /// Host names (or addresses), comma-separated; none when unset.
    func hostNames(_ key: String) throws(SettingsError) -> [String] {
        let listed = string(key).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        for name in listed
        where ConsoleHosts.normalized(name) == nil || name.contains("/") || name.filter({ $0 == ":" }).count == 1 {
            throw SettingsError(
                key: key, value: name,
                allowed: "must be host names or IP addresses without a port or scheme, separated by commas "
                    + "(console.example.org,10.0.0.5)")
        }
        return listed
    }

    /// `HOST:PORT` or `off`.
    func address(_ key: String, _ fallback: String) throws(SettingsError) -> String {
        guard let value = string(key) else { return fallback }
        if value == "off" { return value }
        guard HTTPAddress(value) != nil else {
            throw SettingsError(key: key, value: value, allowed: "must be HOST:PORT (port 1-65535) or off")
        }
        return value
    }

    static func secret(fromFile path: String, key: String) throws(SettingsError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SettingsError(key: key, value: path, allowed: "must be a readable file holding the secret")
        }
        return text.trimmingCharacters(in: .newlines)
    }

    private func describe(_ range: ClosedRange<Int64>) -> String {
        range.upperBound == .max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
    }
}

/// A `HOST:PORT` to listen on.
package struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host or address.
    package var host: String
    /// The port.
    package var port: Int

    /// Whether only this machine can connect (`127.x.x.x`, `::1`, `localhost`).
    package var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    /// Parses `HOST:PORT` (`[::1]:9464` for IPv6); `nil` if it is not one.
    package init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
