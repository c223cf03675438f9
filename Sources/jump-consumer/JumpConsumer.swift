import ArgumentParser
import Dispatch
import Foundation
import JumpCommandLine
import JumpDigests
import JumpEvents
import JumpKafka
import JumpService
import JumpState
import JumpWorker
import Logging

/// The jump-relay worker daemon and its queries.
@main
struct JumpConsumer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jump-consumer",
        abstract: "Fold JUMP partnership events into a durable state store, and query it.",
        discussion: """
            Exit status: 0 stopped cleanly (SIGTERM/SIGINT) or idle (--until-idle); 1 a fatal error; 64 a usage \
            error (an unknown audience, or a digest 'digest resend' cannot send again); 65 the store's offset is \
            not in the log (see --offset-reset), or a state query met a damaged store row (the message names the \
            table, row and column); 69 --until-idle got no partition within --wait-timeout (brokers unreachable, \
            or another member holds them); 75 digest deliveries still pending at the end of --until-idle, digest \
            send-now or digest resend, or a write or broker call kept failing for --wait-timeout (a full disk); 78 \
            a configuration error (a bad value, file, store or directory).
            Configuration comes from the command line, then the environment (JUMP_*), then the file given by \
            --config or $JUMP_CONFIG (Deploy/consumer.example.json), then the defaults; see 'config show'.

            Signals: SIGTERM and SIGINT stop 'run' gracefully (the batch in hand commits and the group is left, \
            within shutdownTimeoutSeconds). SIGHUP (logrotate) does not \
            stop it: digests.log and digests.jsonl are reopened by path for the next digest.

            Environment: JUMP_<KEY> for every configuration key (batchSize is JUMP_BATCH_SIZE, log.format \
            JUMP_LOG_FORMAT, console.tokenFile JUMP_CONSOLE_TOKEN_FILE); JUMP_CONFIG, the configuration file; \
            JUMP_DEV_BROKER_FILE, where a dev broker is discovered without -b; STATE_DIRECTORY and \
            CREDENTIALS_DIRECTORY (systemd: the default store, and the console-token credential); \
            NOTIFY_SOCKET and WATCHDOG_USEC (systemd readiness and watchdog).

            Files: the state store (SQLite, WAL) and, beside it unless --digest-dir says otherwise, digests.log \
            (for tail -F) and digests.jsonl; the dev broker's discovery file ($XDG_RUNTIME_DIR/jump-dev-broker, \
            else /tmp/jump-dev-broker-UID).

            Operator console: 'run --http 127.0.0.1:9464' serves /console (overview, dead letters with their \
            pages, digests with their items and previews, state, companies, anomalies), /healthz, /readyz and \
            /metrics; beyond loopback the console needs console.tokenFile (named operators' token hashes) and \
            console.hosts, and every action and sign-in is logged with event=console.action.
            """,
        version: JumpVersion.current,
        subcommands: [Run.self, State.self, Digest.self, Dlq.self, Placement.self, Config.self])

    /// Runs the command with the standard streams guarded and SIGPIPE ignored (`CommandMain`).
    static func main() async {
        await CommandMain.run(Self.self, escape: TerminalText.escaped) { error in
            // A damaged store is bad data (EX_DATAERR), named as the store names it.
            guard case .damaged = error as? StateStoreError else { return nil }
            return ("jump-consumer: " + TerminalText.escaped("\(error)"), 65)
        }
    }

    /// `--state PATH` and `--config FILE`, shared by every subcommand: the state store and everything else resolve
    /// the same layers as `run` (command line, `JUMP_*`, the configuration file, defaults).
    struct StateOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The state store (default: $JUMP_STATE, else the configuration's, else $STATE_DIRECTORY/state.sqlite under systemd, else ./jump-state.sqlite).",
                valueName: "path"))
        var state: String?

        @Option(
            help: ArgumentHelp(
                "A JSON configuration file (else $JUMP_CONFIG), read as `run` reads it.", valueName: "file"))
        var config: String?

        /// The settings with these command-line values on top (by configuration key), or exit 78 naming the bad
        /// key. Secret files are read only when `readingSecretFiles` (commands that talk to Kafka).
        func settings(
            _ commandLine: [String: String?] = [:], readingSecretFiles: Bool = false
        ) async throws
            -> ConsumerSettings
        {
            try await Layers.settings(
                commandLine.merging(["state": state]) { given, state in state ?? given }, file: config,
                readingSecretFiles: readingSecretFiles)
        }

        /// The store opened read-only for a query (at the path the layers give), or exit 78 with the reason (a
        /// missing, foreign, newer or older store). Its `path` names it in messages.
        func openForReading() async throws -> StateStore {
            let path = try await settings().state
            return try Self.opening { try StateStore.openForReading(path: path) }
        }

        /// The existing store at the path `settings` resolved, opened for writing (never created), or exit 78.
        func openExisting(_ settings: ConsumerSettings) throws -> StateStore {
            try Self.opening { try StateStore.openExisting(path: settings.state) }
        }

        private static func opening(_ body: () throws -> StateStore) throws -> StateStore {
            do {
                return try body()
            } catch let error as StateStoreError {
                Console.error("\(error)")
                throw ExitCode(78)
            }
        }
    }

    /// `--digest-config FILE` and `--digest-dir DIR`, shared by `run` and `digest`.
    struct DigestOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The digest configuration (audiences, staff, routing, schedules, sinks; default: $JUMP_DIGEST_CONFIG, else built-in; see Deploy/digests.example.json).",
                valueName: "file"))
        var digestConfig: String?

        @Option(
            help: ArgumentHelp(
                "Where digests.log and digests.jsonl are written (default: beside the state store).", valueName: "dir"))
        var digestDir: String?

        /// These options as configuration keys, for ``StateOptions/settings(_:readingSecretFiles:)``.
        var commandLine: [String: String?] { ["digestConfig": digestConfig, "digestDir": digestDir] }
    }
}

extension JumpConsumer {
    struct State: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Query the state store (safe while a worker runs on it).",
            subcommands: [Summary.self, Company.self, Companies.self, Anomalies.self, Fingerprint.self, Backup.self])
    }
}
