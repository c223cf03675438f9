import Foundation

/// Where a command-line client finds Kafka: `--brokers`, then `JUMP_BROKERS`, then `-X bootstrap.servers`, then
/// (only with none of them, no configuration file, and outside systemd and Kubernetes) a running `jump-dev-broker`.
public struct BrokerSettings: Sendable, Equatable {
    /// The bootstrap servers.
    public var servers: [String]
    /// A warning to show when the dev broker was found on its own.
    public var warning: String?

    /// Resolves the brokers, or throws ``KafkaError/Kind/configuration`` saying what to set.
    public static func resolve(
        brokers: String?, overrides: [String: String],
        environment: [String: String] = ProcessInfo.processInfo.environment, usesConfigurationFile: Bool = false
    ) throws(KafkaError) -> BrokerSettings {
        for candidate in [brokers, environment["JUMP_BROKERS"], overrides["bootstrap.servers"]] {
            if let candidate, !candidate.trimmingCharacters(in: .whitespaces).isEmpty {
                return BrokerSettings(servers: split(candidate), warning: nil)
            }
        }
        if let found = DevBrokerDiscovery.find(environment: environment, usesConfigurationFile: usesConfigurationFile) {
            return BrokerSettings(
                servers: split(found.bootstrapServers),
                warning: "no broker given: using the jump-dev-broker at \(found.bootstrapServers) (from \(found.file))")
        }
        let refusal = DevBrokerDiscovery.refusal(environment: environment, usesConfigurationFile: usesConfigurationFile)
        throw KafkaError(
            kind: .configuration,
            message: "no Kafka brokers: give --brokers HOST:PORT[,...] or set JUMP_BROKERS"
                + (refusal.map { " (a dev broker is not looked for: \($0))" } ?? " (no jump-dev-broker is running)"))
    }

    private static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
