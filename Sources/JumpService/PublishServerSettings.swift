import Configuration
import Foundation
import JumpCommandLine
import JumpEvents
import JumpPublishing
import Logging

/// Everything `jump-producer serve` reads, in the same layers as `jump-consumer run`: the command line, the
/// environment (`JUMP_*`: `serve.tokensFile` is `JUMP_SERVE_TOKENS_FILE`), the configuration file (`--config`, else
/// `$JUMP_CONFIG`; `Deploy/serve.example.json`), the defaults here.
package struct PublishServerSettings: Sendable, Equatable {
    /// Kafka's bootstrap servers, or none (then `-X bootstrap.servers` or a dev broker).
    package var brokers: String?
    /// The events topic.
    package var topic = "jump.events"
    /// Where to listen, `HOST:PORT`.
    package var listen = "127.0.0.1:8642"
    /// The tokens file; `nil`: the systemd credential `publish-tokens`.
    package var tokensFile: String?
    /// How long a request may wait for its body and for Kafka's acknowledgements, in milliseconds.
    package var requestTimeoutMs = 10_000
    /// Whether a TLS proxy in front terminates TLS (else TLS of its own is required beyond loopback).
    package var behindTLSProxy = false
    /// The PEM certificate chain to serve HTTPS with (with ``tlsKey``).
    package var tlsCertificate: String?
    /// The PEM private key of ``tlsCertificate``.
    package var tlsKey: String?
    /// The level below which log records are dropped.
    package var logLevel = Logger.Level.info
    /// How log records are written.
    package var logFormat = StructuredLogHandler.Format.logfmt
    /// How long a graceful shutdown may take before the rest is cancelled, in seconds.
    package var shutdownTimeoutSeconds = 20
    /// librdkafka security properties from the configuration (`kafka.*`), secrets included.
    package var kafka: [String: String] = [:]

    /// The defaults.
    package init() {}

    /// The keys a configuration file for `serve` may hold.
    static let schema: [String: ConfigurationFileCheck.Kind] = [
        "brokers": .string, "topic": .string, "shutdownTimeoutSeconds": .integer,
        "serve": .object([
            "listen": .string, "tokensFile": .string, "requestTimeoutMs": .integer, "behindTlsProxy": .string,
            "tlsCertificate": .string, "tlsKey": .string,
        ]),
        "log": .object(["level": .string, "format": .string]), "kafka": ConfigurationFileCheck.kafkaSchema,
    ]

    /// The settings from `commandLine` (by configuration key), the environment and the file.
    /// - Throws: ``SettingsError`` naming the key, the value and what is allowed.
    package static func resolve(
        commandLine: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String?
    ) throws(SettingsError) -> PublishServerSettings {
        let reader = try ConsumerConfiguration.reader(
            commandLine: commandLine, environment: environment, file: file, schema: schema)
        let values = SettingsReader(reader: reader)
        var settings = PublishServerSettings()
        settings.brokers = values.string("brokers")
        settings.topic = try values.name("topic", settings.topic)
        settings.listen = try values.address("serve.listen", settings.listen)
        if settings.listen == "off" {
            throw SettingsError(key: "serve.listen", value: "off", allowed: "must be HOST:PORT (port 1-65535)")
        }
        settings.tokensFile = values.string("serve.tokensFile")
        settings.requestTimeoutMs = Int(
            try values.integer("serve.requestTimeoutMs", Int64(settings.requestTimeoutMs), 100...600_000))
        settings.behindTLSProxy = try values.choice("serve.behindTlsProxy", "false", ["true", "false"]) == "true"
        settings.tlsCertificate = values.string("serve.tlsCertificate")
        settings.tlsKey = values.string("serve.tlsKey")
        if (settings.tlsCertificate == nil) != (settings.tlsKey == nil) {
            let (key, other) =
                settings.tlsKey == nil
                ? ("serve.tlsKey", "serve.tlsCertificate") : ("serve.tlsCertificate", "serve.tlsKey")
            throw SettingsError(key: key, value: "(unset)", allowed: "must be set with \(other): HTTPS needs both")
        }
        settings.logLevel = try values.choice("log.level", settings.logLevel)
        settings.logFormat = try values.choice("log.format", settings.logFormat)
        settings.shutdownTimeoutSeconds = Int(
            try values.integer("shutdownTimeoutSeconds", Int64(settings.shutdownTimeoutSeconds), 1...600))
        // A graceful stop waits for the requests in flight: each must be able to end before it is over.
        guard settings.requestTimeoutMs < settings.shutdownTimeoutSeconds * 1_000 else {
            throw SettingsError(
                key: "serve.requestTimeoutMs", value: String(settings.requestTimeoutMs),
                allowed: "must be less than shutdownTimeoutSeconds (\(settings.shutdownTimeoutSeconds) s), so that a "
                    + "graceful stop can answer every request in flight")
        }
        for (key, property, secret) in ConsumerSettings.kafkaKeys {
            if let value = values.string(key, secret: secret) { settings.kafka[property] = value }
            if secret, let file = values.string(key + "File") {
                settings.kafka[property] = try SettingsReader.secret(fromFile: file, key: key + "File")
            }
        }
        let address = HTTPAddress(settings.listen)!
        if !address.isLoopback && !settings.behindTLSProxy && settings.tlsCertificate == nil {
            throw SettingsError(
                key: "serve.listen", value: settings.listen,
                allowed:
                    "is reachable beyond this machine, and bearer tokens must not cross a network in clear: serve HTTPS "
                    + "(--tls-certificate and --tls-key), or put a TLS proxy in front and say so with "
                    + "--behind-tls-proxy (serve.behindTlsProxy = true)")
        }
        return settings
    }

    /// The tokens: from ``tokensFile``, else from the systemd credential `publish-tokens`.
    /// - Throws: ``SettingsError`` naming the file and what is wrong in it.
    package func loadTokens(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SettingsError) -> PublishTokens {
        let credential = environment["CREDENTIALS_DIRECTORY"].map { $0 + "/publish-tokens" }
        guard let path = tokensFile ?? credential.flatMap({ FileManager.default.fileExists(atPath: $0) ? $0 : nil })
        else {
            throw SettingsError(
                key: "serve.tokensFile", value: "(unset)",
                allowed: "must name the tokens file (--tokens FILE, JUMP_SERVE_TOKENS_FILE, or the systemd credential "
                    + "publish-tokens); without tokens nobody could publish")
        }
        let key = tokensFile == nil ? "publish-tokens credential" : "serve.tokensFile"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(key: key, value: path, allowed: "must be a readable JSON file")
        }
        do {
            return try PublishTokens(parsing: Array(data))
        } catch {
            throw SettingsError(key: key, value: path, allowed: "must be a tokens file: \(error)")
        }
    }

    /// The librdkafka properties `serve` cannot run with: each would let an answer of 200 stand for an event the
    /// cluster may not keep. `nil` when the properties are fine, else the reason naming the property.
    package static func unsafeProperty(in properties: [String: String]) -> String? {
        if let acks = properties["acks"] ?? properties["request.required.acks"], !["all", "-1"].contains(acks) {
            return "acks=\(acks): serve answers 200 only for events every in-sync replica has (acks=all)"
        }
        if properties["enable.idempotence"] == "false" {
            return "enable.idempotence=false: serve's retries must not write an event twice"
        }
        return nil
    }

    /// The secret values in these settings (to redact from logs).
    package var secrets: [String] {
        ConsumerSettings.kafkaKeys.filter(\.secret).compactMap { kafka[$0.property] }.filter { !$0.isEmpty }
    }
}
