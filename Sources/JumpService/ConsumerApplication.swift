import Foundation
import Hummingbird
import JumpCommandLine
import JumpConsole
import JumpDigests
import JumpKafka
import JumpState
import JumpWorker
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The daemon `jump-consumer run` starts: the roles as services in one `ServiceGroup` with the HTTP endpoint
/// and the systemd notifier; SIGTERM or SIGINT shut it down gracefully within the configured time.
package enum ConsumerApplication {
    /// The roles `settings` ask for, ready to run (nothing runs yet): the brokers resolved (a dev broker found on
    /// its own is logged as a warning), the store opened (created if absent; on a disk too full to open it, after
    /// waiting for room: `nil` when a signal ended the wait), the digest configuration loaded. `jump-consumer run`
    /// calls it, and so can a test, in process.
    /// - Throws: what makes the settings unusable (no brokers, a store or digest configuration that cannot be
    ///   used, a Kafka client that cannot be made), naming what to change.
    package static func daemon(
        settings: ConsumerSettings, overrides: [String: String], untilIdle: Bool, logger: Logger
    ) async throws -> ConsumerDaemon? {
        let brokers = try BrokerSettings.resolve(brokers: settings.brokers, overrides: overrides)
        if let warning = brokers.warning { logger.warning("\(warning)") }
        var configuration = StateWorkerConfiguration(brokers: brokers.servers)
        configuration.overrides = overrides
        configuration.topic = settings.topic
        configuration.deadLetterTopic = settings.dlqTopic
        configuration.groupID = settings.group
        configuration.batchSize = settings.batchSize
        configuration.untilIdle = untilIdle
        configuration.assignmentTimeout = .seconds(settings.waitTimeoutSeconds)
        configuration.pauseBetweenBatches = .milliseconds(settings.pauseMs)
        configuration.ledgerWindow = settings.ledgerWindow
        configuration.offsetReset = settings.offsetReset
        configuration.placement = settings.placement
        var notifier = NotifierConfiguration(brokers: brokers.servers)
        notifier.overrides = overrides
        let digests = try settings.digestConfiguration()
        guard
            let store = try await openStore(
                path: settings.state, untilIdle: untilIdle, waitTimeout: configuration.assignmentTimeout,
                logger: logger)
        else { return nil }
        if settings.role != .state {
            do {
                try store.recordDigestDirectory(settings.digestDirectory)
            } catch {
                // Not a reason to stay down (a full disk is reported on /readyz once the daemon runs).
                logger.warning(
                    "the digest directory is not recorded in the store; digest send-now will need --digest-dir",
                    metadata: ["error": "\(error)"])
            }
        }
        return try ConsumerDaemon(
            role: settings.role, state: configuration, notifier: notifier, digests: digests,
            digestDirectory: settings.digestDirectory, notificationsTopic: settings.notificationsTopic,
            digestsTopic: settings.digestsTopic, store: store, logger: logger)
    }

    /// Opens the store. A disk too full even to open it (SQLite writes a little to start each file's write-ahead
    /// log) is waited out as a full disk is while running: said every 5 s, naming the directory; SIGTERM or SIGINT
    /// end the wait (`nil`); with `untilIdle` it gives up after `waitTimeout` (``RetriesExhausted``). Any other
    /// failure is thrown at once. Signals are taken only while it waits.
    private static func openStore(
        path: String, untilIdle: Bool, waitTimeout: Duration, logger: Logger
    ) async throws -> StateStore? {
        var failure: any Error
        do {
            return try StateStore(path: path, backgroundCheckpoints: true)
        } catch  where StateStore.isDiskFull(error) {
            failure = error
        }
        let stop = Atomic<Bool>(false)
        return try await Signals.handling([.sigterm, .sigint], with: { _ in stop.store(true, ordering: .releasing) }) {
            let started = ContinuousClock.now
            while true {
                // Said once the signals are taken: a SIGTERM sent on reading it ends the wait, not the process.
                logger.warning("\(diskFull(path)); retrying in 5 seconds", metadata: ["error": "\(failure)"])
                for _ in 0..<50 {
                    if stop.load(ordering: .acquiring) { return nil }
                    try await Task.sleep(for: .milliseconds(100))
                }
                if untilIdle, ContinuousClock.now - started >= waitTimeout {
                    throw RetriesExhausted(reason: diskFull(path), waited: waitTimeout)
                }
                do {
                    return try StateStore(path: path, backgroundCheckpoints: true)
                } catch  where StateStore.isDiskFull(error) {
                    failure = error
                }
            }
        }
    }

    /// What the log says while the store cannot be opened for lack of room.
    private static func diskFull(_ path: String) -> String {
        "opening the state store failed: the disk holding it is full (\(StorePath.parentDirectory(of: path))); "
            + "free space there and the daemon starts"
    }

    /// Runs `daemon` until SIGTERM/SIGINT (or a role's failure): ``serviceGroup(daemon:settings:registry:logger:)``,
    /// run.
    package static func run(
        daemon: ConsumerDaemon, settings: ConsumerSettings, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        try await serviceGroup(daemon: daemon, settings: settings, registry: registry, logger: logger).run()
    }

    /// The daemon as one `ServiceGroup`: its roles, the HTTP endpoint serving `/metrics`, `/healthz`, `/readyz`
    /// (and the console) on `settings.http` unless it is `off`, and the systemd notifier; SIGTERM or SIGINT (or
    /// `triggerGracefulShutdown()`) shut it down gracefully within `settings.shutdownTimeoutSeconds`.
    package static func serviceGroup(
        daemon: ConsumerDaemon, settings: ConsumerSettings, registry: PrometheusCollectorRegistry, logger: Logger
    ) throws -> ServiceGroup {
        let systemd = SystemdNotifier()
        let checks = HealthChecks(
            workers: { daemon.status() }, storeProblem: { daemon.store.writeProblem },
            maxLag: settings.readinessMaxLag)
        let serving = Atomic<Bool>(settings.http == "off")
        var services = daemon.services()
        if let address = HTTPAddress(settings.http) {
            let limits = HTTPLimits(descriptorLimit: HTTPLimits.raiseDescriptorLimit())
            logger.info(
                "HTTP limits",
                metadata: [
                    "maxConnections": .stringConvertible(limits.maximumConnections),
                    "headTimeout": "\(limits.requestHeadTimeout)",
                ])
            let application = HealthEndpoint.application(
                address: address, checks: checks, registry: registry, limits: limits,
                console: try console(
                    daemon: daemon, settings: settings, address: address, checks: checks, logger: logger),
                onRunning: {
                    serving.store(true, ordering: .releasing)
                    logger.notice("serving /metrics, /healthz, /readyz", metadata: ["http": "\(address)"])
                }, logger: logger)
            // First in the list, so it is the last to stop: health stays visible while the workers drain.
            services.insert(
                .init(
                    service: application, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http"), at: 0)
        }
        services.append(
            .init(
                service: SystemdService(
                    systemd: systemd, serving: { serving.load(ordering: .acquiring) }, checks: checks),
                successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "systemd"))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(settings.shutdownTimeoutSeconds)
        configuration.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: configuration)
    }
}

extension ConsumerApplication {
    /// The operator console: open on a loopback endpoint, behind a sign-in with a token beyond it, and off beyond
    /// loopback without a token or without the host names it is served as (the log says why; the probes and
    /// `/metrics` keep working). It answers only requests addressed to loopback names (on a loopback endpoint)
    /// and to `console.hosts`.
    static func console(
        daemon: ConsumerDaemon, settings: ConsumerSettings, address: HTTPAddress, checks: HealthChecks, logger: Logger
    ) throws -> any ConsoleRouting {
        guard address.isLoopback || (settings.consoleOperators != nil && !settings.consoleHosts.isEmpty) else {
            let missing = [
                settings.consoleOperators == nil
                    ? "no token is set (console.tokenFile, JUMP_CONSOLE_TOKEN_FILE, or the systemd credential console-token)"
                    : nil,
                settings.consoleHosts.isEmpty
                    ? "no host name is set (console.hosts, JUMP_CONSOLE_HOSTS: the names browsers reach it by)" : nil,
            ].compactMap { $0 }
            logger.notice(
                "the operator console is off: \(address) is reachable beyond this machine and \(missing.joined(separator: " and ")); /healthz, /readyz and /metrics are served"
            )
            return try ConsoleOffRoutes(address: "\(address)", reasons: missing)
        }
        let hosts = ConsoleHosts(names: settings.consoleHosts)
        let access = ConsoleAccess(operators: settings.consoleOperators, hosts: hosts)
        let pages = try ConsolePages(
            source: daemon, readiness: { checks.readiness().reasons }, version: JumpVersion.current,
            storePath: settings.state, maxLag: settings.readinessMaxLag)
        logger.notice(
            "operator console on http://\(address)/console",
            metadata: [
                "signIn":
                    "\(settings.consoleOperators.map { "tokens of \($0.count) operator\($0.count == 1 ? "" : "s")" } ?? "none (loopback)")",
                "hosts": "\(hosts.description)",
            ])
        return ConsoleRoutes(pages: pages, access: access, logger: logger)
    }
}

/// Tells systemd `READY=1` once the endpoint listens, `WATCHDOG=1` while the workers' loops turn, and
/// `STOPPING=1` when a graceful shutdown begins.
struct SystemdService: Service {
    let systemd: SystemdNotifier
    let serving: @Sendable () -> Bool
    let checks: HealthChecks

    func run() async throws {
        guard systemd.isActive else { return }
        while !serving() {
            try await Task.sleep(for: .milliseconds(20))
        }
        systemd.ready(status: "consuming")
        await withGracefulShutdownHandler {
            let interval = systemd.watchdogInterval ?? .seconds(3600)
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if systemd.watchdogInterval != nil, checks.liveness().status == "ok" { systemd.watchdog() }
                try? await Task.sleep(for: min(interval, .seconds(1)))
            }
        } onGracefulShutdown: {
            systemd.stopping()
        }
    }
}
