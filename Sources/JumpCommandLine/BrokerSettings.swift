import Foundation
import JumpKafka

/// Where a command-line client finds Kafka: `--brokers`, then `JUMP_BROKERS`, then `-X bootstrap.servers`, then
/// (only with none of them, no configuration file, and outside systemd and Kubernetes) a running `jump-dev-broker`.
package struct BrokerSettings: Sendable, Equatable {
    /// The bootstrap servers.
    package var servers: [String]
    /// A warning to show when the dev broker was found on its own.
    package var warning: String?

    /// Resolves the brokers, or throws ``KafkaError/Kind/configuration`` saying what to set.
    package static func resolve(
        brokers: String?, overrides: [String: String],
        environment: [String: String] = ProcessInfo.processInfo.environment, usesConfigurationFile: Bool = false
    ) throws(KafkaError) -> BrokerSettings {
        // A list given but empty (`-b ''`, `JUMP_BROKERS=`, a stray comma) is passed over for the next source, and
        // is a mistake to name, never a reason to go looking for a dev broker, when no other source gives one.
        var emptyGiven: String?
        for (name, candidate) in [
            ("the broker list (--brokers, JUMP_BROKERS or the configuration's brokers)", brokers),
            ("JUMP_BROKERS", environment["JUMP_BROKERS"]), ("-X bootstrap.servers", overrides["bootstrap.servers"]),
        ] {
            guard let candidate else { continue }
            let servers = split(candidate)
            if !servers.isEmpty { return BrokerSettings(servers: servers, warning: nil) }
            emptyGiven = emptyGiven ?? name
        }
        if let emptyGiven {
            throw KafkaError(
                kind: .configuration,
                message:
                    "\(emptyGiven) is empty: give HOST:PORT[,...], or leave it out to use a running jump-dev-broker")
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

    /// Why a `-b`/`--brokers` given on the command line is unusable (empty, or only commas and spaces), or `nil`.
    package static func commandLineProblem(_ brokers: String?) -> String? {
        guard let brokers, split(brokers).isEmpty else { return nil }
        return "-b/--brokers is empty: give HOST:PORT[,...], or leave it out to use $JUMP_BROKERS or a running "
            + "jump-dev-broker"
    }

    /// Why `name` cannot be a Kafka topic name (Kafka's rule: 1 to 249 of `a-z A-Z 0-9 . _ -`, not `.` or `..`),
    /// or `nil`.
    package static func topicNameProblem(_ name: String) -> String? {
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
        guard !name.isEmpty, name.utf8.count <= 249, allowed, name != ".", name != ".." else {
            return "\"\(name)\" is not a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -, and not . or .."
        }
        return nil
    }

    private static func split(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
